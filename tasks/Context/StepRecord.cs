using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace TwisterLab.Cake.Context;

public enum StepStatus
{
    Succeeded,
    Skipped,
    Failed,
    Planned,
}

/// <summary>
/// One step of a run as the report shows it: its timing, the error that failed it, and <see cref="Detail"/>, the facts
/// it established (a backup's file, size and sha256, an image before and after, a revision, rows, monitor samples).
/// </summary>
public sealed record StepRecord(string Name, StepStatus Status, DateTimeOffset Started, [property: JsonIgnore] TimeSpan Duration, string? Error, JsonObject? Detail = null)
{
    public DateTimeOffset Finished => Started + Duration;

    public double DurationSeconds => Math.Round(Duration.TotalSeconds, 3);
}
