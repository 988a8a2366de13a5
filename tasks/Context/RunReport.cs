using System.Text.Json;
using System.Text.Json.Serialization;
using TwisterLab.Cake.Cluster;

namespace TwisterLab.Cake.Context;

/// <summary>
/// What one run did, written beside its journal as <c>report.json</c> (for pipelines) and <c>report.md</c>
/// (for people: a table and a Mermaid gantt of the step timeline).
/// </summary>
public sealed record RunReport
{
    /// <summary>The shape of report.json: schemas/report.v1.schema.json. Readers check it before reading on.</summary>
    public const int CurrentSchemaVersion = 1;

    [JsonPropertyOrder(-2)]
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>Which build wrote it (version and commit from the assembly).</summary>
    [JsonPropertyOrder(-1)]
    public ToolVersion Tool { get; init; } = ToolVersion.Current;

    public required string RunId { get; init; }
    public required string Target { get; init; }
    public required string Environment { get; init; }
    public required string Namespace { get; init; }

    /// <summary>The cluster the run talked to (server, context, kube-system UID); null when it reached none.</summary>
    public ClusterBinding? Cluster { get; init; }
    public required IReadOnlyDictionary<string, string> Arguments { get; init; }
    public required DateTimeOffset Started { get; init; }
    public required DateTimeOffset Finished { get; init; }

    public double DurationSeconds => Math.Round((Finished - Started).TotalSeconds, 3);
    public required RunOutcome Outcome { get; init; }
    public required int ExitCode { get; init; }
    public string? Error { get; init; }
    public required IReadOnlyList<StepRecord> Steps { get; init; }
    /// <summary>The undo records, with when each was recorded, when its undo started and when it ended.</summary>
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
