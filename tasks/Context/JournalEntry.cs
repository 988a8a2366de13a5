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
    public DateTimeOffset? FinishedAt { get; set; }
    public string? Error { get; set; }
}
