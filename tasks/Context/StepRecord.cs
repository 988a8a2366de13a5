namespace TwisterLab.Cake.Context;

public enum StepStatus
{
    Succeeded,
    Skipped,
    Failed,
    Planned,
}

/// <summary>One step of a run as the report shows it.</summary>
public sealed record StepRecord(string Name, StepStatus Status, DateTimeOffset Started, TimeSpan Duration, string? Detail);
