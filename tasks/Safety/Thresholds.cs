namespace TwisterLab.Cake.Safety;

/// <summary>The guide's monitoring checklist and decision matrix, as numbers a profile may tune.</summary>
public sealed record Thresholds
{
    public double MaxErrorRate { get; init; } = 0.01;
    public double RollbackErrorRate { get; init; } = 0.05;
    public double MaxP95Seconds { get; init; } = 0.5;
    public double MaxP99Seconds { get; init; } = 1.0;
    public double RollbackLatencySeconds { get; init; } = 5.0;
    public double MinAgentSuccessRate { get; init; } = 0.95;
    public double NotableDegradation { get; init; } = 0.20;

    /// <summary>Rates (errors, latency, agent success) are only judged over at least this many requests.</summary>
    public double MinimumRequests { get; init; } = 50;
}
