using System.Text.Json;
using TwisterLab.Cake.Cluster;

namespace TwisterLab.Cake.Context;

/// <summary>
/// What one run did, written beside its journal as <c>report.json</c> (for pipelines) and <c>report.md</c>
/// (for people: a table and a Mermaid gantt of the step timeline).
/// </summary>
public sealed record RunReport
{
    public required string RunId { get; init; }
    public required string Target { get; init; }
    public required string Environment { get; init; }
    public required string Namespace { get; init; }

    /// <summary>The cluster the run talked to (server, context, kube-system UID); null when it reached none.</summary>
    public ClusterBinding? Cluster { get; init; }
    public required IReadOnlyDictionary<string, string> Arguments { get; init; }
    public required DateTimeOffset Started { get; init; }
    public required DateTimeOffset Finished { get; init; }
    public required RunOutcome Outcome { get; init; }
    public required int ExitCode { get; init; }
    public string? Error { get; init; }
    public required IReadOnlyList<StepRecord> Steps { get; init; }
    public required IReadOnlyList<JournalEntry> Compensations { get; init; }
    public IReadOnlyList<string> Notes { get; init; } = [];

    public string ToJson() => JsonSerializer.Serialize(this, RunJournal.Json);

    public string ToMarkdown() => RunReportMarkdown.Render(this);

    /// <summary>Writes both files into the run folder and returns the markdown path.</summary>
    public string WriteTo(string folder)
    {
        PrivateFiles.CreateFolder(folder);
        PrivateFiles.WriteAllText(Path.Combine(folder, "report.json"), ToJson());
        var markdown = Path.Combine(folder, "report.md");
        PrivateFiles.WriteAllText(markdown, ToMarkdown());
        return markdown;
    }
}
