using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Context;

/// <summary>Where runs keep their journal and report: <c>.twisterlab/runs/&lt;run-id&gt;/</c> under the working directory.</summary>
public sealed class RunStore(string workingDirectory)
{
    public string Root { get; } = Path.Combine(workingDirectory, ".twisterlab", "runs");

    public string FolderOf(string runId) => Path.Combine(Root, runId);

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

    /// <summary>The id itself, or for 'latest' the newest run that left a journal (itself when there is none).</summary>
    public string Resolve(string runId) => runId == "latest" ? LatestWithJournal() ?? runId : runId;

    /// <summary>Finds the journal of a run; 'latest' is the newest run that left a journal.</summary>
    public RunJournal LoadJournal(string runId)
    {
        var resolved = runId == "latest" ? LatestWithJournal() : runId;
        var path = resolved is null ? null : JournalOf(resolved);
        if (path is null || !File.Exists(path))
        {
            throw new BadInputException(resolved is null
                ? $"No run has left a journal under {Root}."
                : $"Run '{resolved}' has no journal ({path}): it changed nothing, or the id is wrong. Runs are listed in {Root}.");
        }

        return RunJournal.Load(path);
    }

    private string? LatestWithJournal() =>
        Directory.Exists(Root)
            ? Directory.GetDirectories(Root).Select(Path.GetFileName).OfType<string>()
                .Where(id => File.Exists(JournalOf(id))).Order(StringComparer.Ordinal).LastOrDefault()
            : null;
}
