using System.Text.Json;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Context;

/// <summary>
/// Where runs keep their journal and report: <c>.twisterlab/runs/&lt;run-id&gt;/</c> under the working directory, and
/// rehearsals apart in <c>.twisterlab/rehearsal/runs/</c>, so a rehearsal's journal is never a candidate for a real run.
/// </summary>
public sealed class RunStore(string workingDirectory, bool rehearsal = false)
{
    public string Root { get; } = rehearsal ? RehearsalRootOf(workingDirectory) : Path.Combine(workingDirectory, ".twisterlab", "runs");

    /// <summary>Where the other kind of run (real or rehearsal) keeps its folders, to name it when asked for one.</summary>
    private string OtherRoot { get; } = rehearsal ? Path.Combine(workingDirectory, ".twisterlab", "runs") : RehearsalRootOf(workingDirectory);

    public static string RehearsalRootOf(string workingDirectory) => Path.Combine(workingDirectory, ".twisterlab", "rehearsal", "runs");

    public string FolderOf(string runId) => Path.Combine(Root, runId);

    /// <summary>Where a dry run's report goes: plans/ beside runs/ (a plan is no run: no journal, nothing to undo).</summary>
    public string PlanFolderOf(string runId) => Path.Combine(Path.GetDirectoryName(Root)!, "plans", runId);

    public string JournalOf(string runId) => Path.Combine(FolderOf(runId), "journal.json");

    /// <summary>
    /// Where a run's secret key (<c>stash.key</c>) lives: under the user's state folder
    /// (<c>$XDG_STATE_HOME</c>, else <c>~/.local/state</c>)<c>/twisterlab/keys/&lt;run-id&gt;</c>, never in the run
    /// folder. A pipeline that uploads <c>.twisterlab/</c> as an artifact, and the journal's copy in the cluster, both
    /// hold only ciphertext: whoever gets them does not also get the key.
    /// </summary>
    public static string KeyFolderOf(string runId)
    {
        var state = System.Environment.GetEnvironmentVariable("XDG_STATE_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".local", "state");
        return Path.Combine(state, "twisterlab", "keys", runId);
    }

    /// <summary>A new id that sorts by time, e.g. 20261125-140512345-k3v9.</summary>
    public static string NewRunId(DateTimeOffset now) =>
        $"{now.UtcDateTime:yyyyMMdd-HHmmssfff}-{Convert.ToHexString(Guid.NewGuid().ToByteArray())[..4].ToLowerInvariant()}";

    /// <summary>
    /// The id itself, or for 'latest' the newest unfinished run bound to this run's cluster, namespace and environment
    /// (unfinished: it left changes to undo and did not end as succeeded or rolled back). <paramref name="current"/> gives
    /// this run's binding to compare a recorded one with (it reads the cluster's id only when the record has one).
    /// Null when no run anywhere is unfinished (a second Rollback is a no-op); refused when the only unfinished runs
    /// belong to another cluster, namespace or environment, or to the rehearsals, so 'latest' never reaches across.
    /// </summary>
    public string? Resolve(string runId, Func<ClusterBinding?, ClusterBinding> current)
    {
        if (runId != "latest")
        {
            return runId;
        }

        var unfinished = RunsWithJournal().Reverse().Where(IsUnfinished).ToList();
        if (unfinished.FirstOrDefault(id => Journal(id).Binding is { } recorded && recorded.ConflictWith(current(recorded)) is null) is { } ours)
        {
            return ours;
        }

        var other = new RunStore(workingDirectory, !rehearsal);
        var elsewhere = unfinished.Select(id => $"{id} ({Journal(id).Binding?.ToString() ?? "no cluster recorded"})")
            .Concat(other.RunsWithJournal().Reverse().Where(other.IsUnfinished).Select(id => $"{id} ({(rehearsal ? "a real run" : "a rehearsal")})"))
            .FirstOrDefault();
        return elsewhere is null
            ? null
            : throw new BadInputException($"--run=latest: no unfinished run of this run's {current(null)}; the newest unfinished one, {elsewhere}, is not this run's to undo. Nothing was changed.");
    }

    /// <summary>Finds the journal of a run (checked against no cluster: see <see cref="EnsureBound"/>).</summary>
    public RunJournal LoadJournal(string runId)
    {
        var path = JournalOf(runId);
        if (!File.Exists(path))
        {
            throw new BadInputException(KeptByTheOtherKind(runId)
                ? $"--run: run '{runId}' is {(rehearsal ? "a real run" : "a rehearsal run")} ({Path.Combine(OtherRoot, runId)}): rehearsal journals and real ones are never replayed on each other's cluster. Nothing was changed."
                : $"--run: run '{runId}' has no journal ({path}): it changed nothing, or the id is wrong. Runs are listed in {Root}.");
        }

        return Journal(runId);
    }

    /// <summary>
    /// Refuses, in one line and before any change, a journal recorded on another cluster, namespace or environment than
    /// <paramref name="current"/> (or by a rehearsal, or with no binding at all).
    /// </summary>
    public RunJournal EnsureBound(RunJournal journal, Func<ClusterBinding?, ClusterBinding> current)
    {
        if (journal.Binding is not { } recorded)
        {
            throw new BadInputException($"Run '{journal.RunId}' records no cluster binding (an older journal), so it cannot be shown to belong here: undo it by hand from its report ({FolderOf(journal.RunId)}). Nothing was changed.");
        }

        if (recorded.ConflictWith(current(recorded)) is { } why)
        {
            throw new BadInputException($"Run '{journal.RunId}' belongs to {recorded}, not to this run's {current(recorded)} ({why}): refused, nothing was changed.");
        }

        return journal;
    }

    /// <summary>True when <paramref name="runId"/> is a run of the other kind (a rehearsal's, seen from a real run, or the reverse).</summary>
    public bool KeptByTheOtherKind(string runId) => File.Exists(Path.Combine(OtherRoot, runId, "journal.json"));

    private RunJournal Journal(string runId)
    {
        var path = JournalOf(runId);
        try
        {
            return RunJournal.Load(path);
        }
        catch (Exception exception) when (exception is JsonException or InvalidDataException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            // The parser's own text (a position deep in the document) says nothing about what to do.
            throw new BadInputException($"--run: the journal {path} is damaged and cannot be read ({FirstSentence(exception.InnerException?.Message ?? exception.Message)}): restore it from its copy in the cluster or a backup of {Root}; nothing was changed.");
        }
    }

    private static string FirstSentence(string message) => message.Split('\n')[0].Split(". ")[0].TrimEnd('.');

    private IEnumerable<string> RunsWithJournal() =>
        Directory.Exists(Root)
            ? Directory.GetDirectories(Root).Select(Path.GetFileName).OfType<string>()
                .Where(id => File.Exists(JournalOf(id))).Order(StringComparer.Ordinal)
            : [];

    // Finished = it succeeded (the journal stays as a record) or every change was undone. The journal says how the run
    // ended; one still "running" was killed, unless it is older than that field and its report says otherwise.
    private bool IsUnfinished(string runId)
    {
        var journal = Journal(runId);
        if (journal.PendingInReverse.Count == 0)
        {
            return false;
        }

        if (journal.State != RunJournal.Running)
        {
            return journal.State is not ("succeeded" or "rolled-back");
        }

        var report = Path.Combine(FolderOf(runId), "report.json");
        if (!File.Exists(report))
        {
            return true; // killed before its teardown wrote a report
        }

        try
        {
            var outcome = JsonDocument.Parse(File.ReadAllText(report)).RootElement.GetProperty("outcome").GetString();
            return outcome is not ("succeeded" or "rolledBack" or "planned");
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or IOException)
        {
            return true;
        }
    }
}
