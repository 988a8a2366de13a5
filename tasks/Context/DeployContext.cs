using Cake.Core.Diagnostics;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake.Context;

/// <summary>
/// What every step of a run shares: validated settings, the rollback journal, the plan of a dry run, the step
/// record for the report, the secret redactor and the cancellation raised by Ctrl+C or SIGTERM.
/// </summary>
public sealed partial class DeployContext : FrostingContext, IRunOutcome
{
    private readonly HostCancellation _cancellation;
    private RunJournal? _journal;
    private bool _confirmed;
    private Task<string?>? _inputCheckLeft;

    public DeployContext(ICakeContext context, HostRunOptions options, HostCancellation cancellation, SecretRedactor redactor, IEnumerable<ArgumentSpec> arguments)
        : base(context)
    {
        _cancellation = cancellation;
        Options = options;
        Redactor = redactor;
        KnownArguments = DeployArguments.Common.Concat(arguments).ToList();
        var workingDirectory = context.Environment.WorkingDirectory.FullPath;
        Settings = DeploySettings.From(context.Arguments, KnownArguments, workingDirectory);
        // Checked here so that a dry run says it too: a plan for a run that cannot start must not read as fine.
        if (Settings.IsKind && TwisterLab.Cake.Cluster.KindCluster.Problem() is { } missing)
        {
            throw new BadInputException(missing);
        }

        // A plan needs no cluster; a real run on --cluster=embedded needs the simulator, which the library alone lacks.
        if (Settings.ClusterKind == "embedded" && !IsDryRun && !TwisterLab.Cake.Cluster.EmbeddedClusters.Available)
        {
            throw new BadInputException(TwisterLab.Cake.Cluster.EmbeddedClusters.Missing);
        }

        foreach (var secret in KnownArguments.Where(spec => spec.Secret && context.Arguments.HasArgument(spec.Name)))
        {
            redactor.Add(context.Arguments.GetArgument(secret.Name));
        }

        Runs = new RunStore(workingDirectory, IsRehearsal);
        RunId = RunStore.NewRunId(StartedAt);
    }

    public DeploySettings Settings { get; }

    public HostRunOptions Options { get; }

    public IReadOnlyList<ArgumentSpec> KnownArguments { get; }

    public bool IsDryRun => Options.DryRun;

    public string Target => Options.Targets[^1];

    public string RunId { get; }

    public DateTimeOffset StartedAt { get; } = DateTimeOffset.UtcNow;

    public RunStore Runs { get; }

    public SecretRedactor Redactor { get; }

    public PlanBook Plan { get; } = new();

    public RunRecorder Recorder { get; } = new();

    public CancellationToken CancellationToken => _cancellation.Token;

    public string? InterruptedBy => _cancellation.Reason;

    public RunOutcome Outcome { get; set; } = RunOutcome.Succeeded;

    public string? HeldReason { get; private set; }

    public string? DegradedReason { get; private set; }

    public List<string> Notes { get; } = [];

    /// <summary>The tasks this run executes, in order (known from Setup on).</summary>
    public IReadOnlyList<string> TasksToRun { get; set; } = [];

    /// <summary>The verified backup this run took, for the steps (and undos) that restore it.</summary>
    public string? LastBackup { get; set; }

    /// <summary>PostgresMajorUpgrade: true when the data moves by logical replication, false by dump/restore (chosen before any change).</summary>
    public bool? CopiesByReplication { get; set; }

    /// <summary>The API's health over a short window before the change (null: not measured), what MonitorHealth compares with.</summary>
    public Metrics.HealthSample? Baseline { get; set; }

    /// <summary>PostgresMajorUpgrade: when writes were frozen on the old server (null: not frozen by this run).</summary>
    public DateTimeOffset? WritesFrozenAt { get; set; }

    /// <summary>
    /// PostgresMajorUpgrade: both servers' content pinned during the write freeze (VerifyNewPostgresIntegrity), compared
    /// once writes resumed (VerifyContentAtFreeze); released by that step or by the run's teardown, before any undo.
    /// </summary>
    public Data.FreezePoints? ContentAtFreeze { get; set; }

    /// <summary>The backup FullRollback restores, verified before anything changed (ChooseBackup).</summary>
    public string? BackupToRestore { get; set; }

    /// <summary>
    /// A backup this run restores the whole database from if it fails (recorded by a staging refresh): later database
    /// changes need no undo of their own.
    /// </summary>
    public string? RestorePoint { get; set; }

    /// <summary>The journal of this run, created on the first recorded change.</summary>
    public RunJournal? Journal => _journal;

    /// <summary>
    /// Records how to undo a change; call it before the change. Every change passes here first, so this is also
    /// where production asks for confirmation and where a run that talks to a cluster takes the namespace's lock.
    /// </summary>
    public void Record(string step, Compensation compensation)
    {
        // The first change binds the journal to the cluster (read now, so the prompt below names it by its id too).
        var binding = _journal is null ? BindingToRecord() : null;
        BeginChange();
        _journal ??= RunJournal.Create(Runs.JournalOf(RunId), RunId, Target, binding, Who, StartedAt);
        MirrorIntoCluster(_journal);
        var entry = _journal.Record(step, compensation);
        Log.Verbose("undo recorded (#{0}): {1}", entry.Sequence, entry.Description);
    }

    /// <summary>
    /// The gate of every change (Record calls it; a Rollback of another run's journal calls it before undoing):
    /// production's confirmation, then the namespace's lock — taken on the first change, and on every later one
    /// proven still ours on the API server (the fence). A run that lost the lock holds here, changing nothing more.
    /// </summary>
    public void BeginChange()
    {
        EnsureInputsChecked();
        EnsureConfirmed();
        EnsureLocked();
    }

    /// <summary>Ends the chain keeping the journal, for a person to decide. Throw what it returns.</summary>
    public HoldException Hold(string reason)
    {
        HeldReason = reason;
        return new HoldException(reason);
    }

    /// <summary>Set when a rollback of another run's journal stopped with undos left (the run ends with exit 5).</summary>
    public string? RollbackStopped { get; private set; }

    /// <summary>A rollback stopped part-way: the run ends "rollback failed" (exit 5). Throw what it returns.</summary>
    public InvalidOperationException StopRollback(string reason)
    {
        RollbackStopped = reason;
        return new InvalidOperationException(reason);
    }

    /// <summary>The run will end "degraded" (its own exit code) with the journal kept ready.</summary>
    public void MarkDegraded(string reason) => DegradedReason = reason;

    int IRunOutcome.ExitCode(bool engineSucceeded) => Outcome.ExitCode();

    /// <summary>
    /// An input check that reads a whole file (<see cref="SqliteQuickCheck"/>) runs beside the start of a real run, which
    /// does not wait for it: its verdict is taken here, before the first change and before any step is reported done.
    /// </summary>
    public void DeferInputCheck(Task<string?> check) => _inputCheckLeft = check;

    /// <summary>Waits for the deferred input check; a problem refuses the run in one line (exit 2), nothing changed.</summary>
    public void EnsureInputsChecked()
    {
        if (_inputCheckLeft?.GetAwaiter().GetResult() is { } problem)
        {
            throw new BadInputException(problem);
        }
    }

    private void EnsureConfirmed()
    {
        if (_confirmed || Settings.Confirm || !Settings.Profile.RequiresConfirmation)
        {
            _confirmed = true;
            return;
        }

        if (Console.IsInputRedirected || Console.IsOutputRedirected)
        {
            throw new BadInputException($"Environment '{Settings.Environment}' needs confirmation before anything changes: add --confirm (nothing was changed).");
        }

        Console.Write($"About to change '{Settings.Environment}' (namespace {Settings.Namespace}) on {DescribeCluster()}. Type 'yes' to go on: ");
        if (!string.Equals(Console.ReadLine()?.Trim(), "yes", StringComparison.OrdinalIgnoreCase))
        {
            throw new BadInputException("Not confirmed: nothing was changed.");
        }

        _confirmed = true;
    }
}
