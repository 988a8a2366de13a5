using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Context;

/// <summary>Where runs keep their journal and report: <c>.twisterlab/runs/&lt;run-id&gt;/</c> under the working directory.</summary>
public sealed class RunStore(string workingDirectory)
{
    public string Root { get; } = Path.Combine(workingDirectory, ".twisterlab", "runs");

    public string FolderOf(string runId) => Path.Combine(Root, runId);

    public string JournalOf(string runId) => Path.Combine(FolderOf(runId), "journal.json");

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
                ? $"--run: no run has left a journal under {Root}."
                : $"--run: run '{resolved}' has no journal ({path}): it changed nothing, or the id is wrong. Runs are listed in {Root}.");
        }

        try
        {
            return RunJournal.Load(path);
        }
        catch (Exception exception) when (exception is System.Text.Json.JsonException or InvalidDataException or NotSupportedException or InvalidOperationException or ArgumentException)
        {
            // The parser's own text (a position deep in the document) says nothing about what to do.
            throw new BadInputException($"--run: the journal {path} is damaged and cannot be read ({FirstSentence(exception.Message)}): restore it from its copy in the cluster or a backup of {Root}; nothing was changed.");
        }
    }

    private static string FirstSentence(string message) => message.Split('\n')[0].Split(". ")[0].TrimEnd('.');

    private string? LatestWithJournal() =>
        Directory.Exists(Root)
            ? Directory.GetDirectories(Root).Select(Path.GetFileName).OfType<string>()
                .Where(id => File.Exists(JournalOf(id))).Order(StringComparer.Ordinal).LastOrDefault()
            : null;
}
