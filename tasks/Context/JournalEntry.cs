using System.Text.Json;

namespace TwisterLab.Cake.Context;

public enum CompensationStatus
{
    Pending,
    Applied,
    Failed,
}

/// <summary>One recorded compensation in the journal file. The record itself is kept as JSON with its kind.</summary>
public sealed record JournalEntry
{
    public required int Sequence { get; init; }
    public required string Step { get; init; }
    public required string Kind { get; init; }
    public required string Description { get; init; }
    public required JsonElement Data { get; init; }
    public required DateTimeOffset RecordedAt { get; init; }
    public bool Irreversible { get; init; }
    public CompensationStatus Status { get; set; }
    /// <summary>When its undo began (a rollback); with <see cref="FinishedAt"/>, how long the undo took.</summary>
    public DateTimeOffset? UndoStartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>Seconds the undo took; null until it ran.</summary>
    public double? UndoSeconds => UndoStartedAt is { } started && FinishedAt is { } finished ? Math.Round((finished - started).TotalSeconds, 3) : null;
    public string? Error { get; set; }
}
