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

    /// <summary>
    /// A slowdown smaller than this, in seconds, is not judged as degradation at all: 2 ms against 1 ms is "100 %" and
    /// nothing a user feels. A profile of a fast API (or a rehearsal) may lower it.
    /// </summary>
    public double MinDegradationSeconds { get; init; } = 0.05;

    /// <summary>Memory or CPU this much above the baseline (0.5 = half again) is out of the "normal range"; free disk falling by a fifth of it in one window too.</summary>
    public double MaxResourceGrowth { get; init; } = 0.5;

    /// <summary>Rates (errors, latency, agent success) are only judged over at least this many requests.</summary>
    public double MinimumRequests { get; init; } = 50;
}
