using System.Text.RegularExpressions;
using Cake.Core.Diagnostics;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Context;

/// <summary>
/// Never two writers: the namespace's lock (a Lease) taken before the first change and proven on every later one,
/// and the journal kept in the namespace beside it, so that the run that comes next knows what a dead one left.
/// </summary>
public sealed partial class DeployContext
{
    /// <summary>Finished runs whose journals stay in the namespace (unfinished ones are never pruned).</summary>
    public const int JournalsKept = 10;

    /// <summary>Who runs this, as the lock and the journal name it: user@machine.</summary>
    public static string Who => $"{System.Environment.UserName}@{System.Environment.MachineName}";

    /// <summary>The lock's holder identity; <see cref="RunIdOfHolder"/> reads the run id back.</summary>
    public string LockHolder => $"{Who} run {RunId} ({Target})";

    public static string? RunIdOfHolder(string holder) => HolderRunId().Match(holder) is { Success: true } match ? match.Groups[1].Value : null;

    [GeneratedRegex(@" run (\S+) \(")]
    private static partial Regex HolderRunId();

    /// <summary>
    /// One run at a time per namespace: the Lease twisterlab-upgrade-lock, taken before this run's first change to a
    /// cluster and renewed while it runs. A second run fails here, naming the holder, before changing anything. Every
    /// later change first proves the lease is still ours (a conditional renew), so a run paused past the lease's
    /// duration while another took over stops instead of writing over it.
    /// </summary>
    private void EnsureLocked()
    {
        if (_cluster is null || IsDryRun)
        {
            return;
        }

        if (_lock is null)
        {
            var runLock = _cluster.RunLock(LockHolder, Settings.LeaseDuration);
            runLock.AcquireAsync(CancellationToken, RefuseTakingOverUnfinishedAsync).GetAwaiter().GetResult();
            _lock = runLock;
            return;
        }

        FenceAsync(CancellationToken).GetAwaiter().GetResult();
    }

    /// <summary>Proves this run still holds the lock (when it took one); a lost lock holds the run here.</summary>
    public async Task FenceAsync(CancellationToken cancellationToken)
    {
        if (_lock is null)
        {
            return;
        }

        try
        {
            await _lock.FenceAsync(cancellationToken);
        }
        catch (RunLockLostException lost)
        {
            throw Hold(lost.Message);
        }
    }

    /// <summary>
    /// An expired lease is taken over as before, unless the run that held it died with an unfinished journal: then
    /// its undo is waiting, and going on over it silently would bury it. Rolling back exactly that run is the way on.
    /// </summary>
    private async Task RefuseTakingOverUnfinishedAsync(string holder, CancellationToken cancellationToken)
    {
        if (RunIdOfHolder(holder) is not { } runId || RunToUndo == runId)
        {
            return;
        }

        var copy = await _cluster!.RunJournals.ReadAsync(runId, cancellationToken);
        if (copy is not { Unfinished: true } || RunJournal.FromBytes(Runs.JournalOf(runId), copy.Journal).PendingInReverse.Count == 0)
        {
            return;
        }

        var who = $"run {runId} ({copy.Target}, started {copy.Started:u} on {copy.Host ?? "an unknown host"})";
        if (!Settings.TakeOver)
        {
            throw new BadInputException($"The lock of namespace {Settings.Namespace} expired, but {who} died with an unfinished journal: undo it with --target=Rollback --run={runId}, or go on over it with --take-over.");
        }

        Notes.Add($"Took over the lock of namespace {Settings.Namespace} from {who}, which left an unfinished journal (--take-over). Its undo is kept: --target=Rollback --run={runId}.");
        Log.Warning("Taking over the lock from {0} although its journal is unfinished (--take-over).", who);
    }

    /// <summary>
    /// The cluster copy of a journal: each record reaches the namespace (Secret twisterlab-run-&lt;id&gt;) before the
    /// change it guards. Attached once the run talks to a cluster; the next write carries every earlier record too.
    /// </summary>
    private void MirrorIntoCluster(RunJournal journal)
    {
        if (_cluster is null || IsDryRun || journal.Mirror is not null)
        {
            return;
        }

        var journals = _cluster.RunJournals;
        // Not the run's token: a Ctrl+C must not stop the rollback's records from reaching the cluster.
        journal.Mirror = (written, json) => journals.WriteAsync(
            new RunJournalCopy(written.RunId, written.Target, written.State, written.Host, written.Started, json), CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>
    /// The journal of an earlier run (<paramref name="runId"/> already resolved), for a Rollback: the local file, else
    /// the namespace's copy (the machine that ran it is gone), which is then kept locally too.
    /// </summary>
    private RunJournal OpenJournalOf(string runId)
    {
        if (File.Exists(Runs.JournalOf(runId)) || Runs.KeptByTheOtherKind(runId) || IsDryRun || !UsesCluster)
        {
            return Runs.LoadJournal(runId);
        }

        var copy = Cluster.RunJournals.ReadAsync(runId, CancellationToken).GetAwaiter().GetResult()
            ?? throw new BadInputException($"--run: run '{runId}' has no journal, neither in {Runs.Root} nor in namespace {Settings.Namespace} (secret/{RunJournalSecrets.NameOf(runId)}): it changed nothing, or the id is wrong.");
        var journal = RunJournal.FromBytes(Runs.JournalOf(runId), copy.Journal);
        journal.Flush();
        Log.Information("Run {0}: journal read from the cluster (secret/{1}); kept in {2}.", runId, RunJournalSecrets.NameOf(runId), Shown(journal.FilePath));
        return journal;
    }

    /// <summary>An undone journal's records go back to the cluster as they are undone, like a live run's.</summary>
    private void MirrorUndoneJournal(RunJournal journal)
    {
        if (!IsDryRun && journal.Binding is { ClusterId: not null } or { Server: not null })
        {
            _ = Cluster;
            MirrorIntoCluster(journal);
        }
    }

    /// <summary>A cluster is named (a kubeconfig as kubectl finds it, embedded): a Rollback then reads the cluster's copy.</summary>
    private bool UsesCluster => Settings.Kubeconfig is not null || Settings.ClusterKind is not null || _cluster is not null || CanConfigureCluster();

    // A kubeconfig kubectl would use ($KUBECONFIG, ~/.kube/config, in-cluster) counts as naming a cluster.
    private bool CanConfigureCluster()
    {
        try
        {
            _ = PlannedCluster();
            return true;
        }
        catch (BadInputException)
        {
            return false;
        }
    }

    /// <summary>Records how the run ended in its journal (and the cluster copy), then prunes finished runs' copies.</summary>
    public void ConcludeJournal(RunOutcome outcome)
    {
        if (_journal is null || IsDryRun)
        {
            return;
        }

        try
        {
            _journal.Conclude(StateOf(outcome));
            if (_journal.Mirror is not null && _cluster is not null)
            {
                var pruned = _cluster.RunJournals.PruneAsync(JournalsKept, CancellationToken.None).GetAwaiter().GetResult();
                if (pruned.Count > 0)
                {
                    Log.Verbose("Pruned the cluster journals of {0} finished run(s).", pruned.Count);
                }
            }
        }
        catch (Exception exception) when (exception is ClusterException or IOException)
        {
            // The local journal has the state; a cluster copy left "running" only makes the next run ask first.
            Log.Warning("Could not record the run's end in the cluster: {0}", Redactor.Redact(exception.Message));
        }
    }

    public static string StateOf(RunOutcome outcome) => outcome switch
    {
        RunOutcome.Succeeded => "succeeded",
        RunOutcome.RolledBack => "rolled-back",
        RunOutcome.Held => "held",
        RunOutcome.Degraded => "degraded",
        RunOutcome.RollbackFailed => "rollback-failed",
        RunOutcome.FailedWithoutRollback => "failed-without-rollback",
        _ => "failed",
    };
}
