namespace TwisterLab.Cake.Safety;

/// <summary>The guide's monitoring checklist and decision matrix, as numbers a profile may tune.</summary>
/// <remarks>
/// Settable rather than init-only, as <see cref="Context.EnvironmentProfile"/> is: the profile's reader, generated at
/// compile time, passes every init-only property to the object initializer, 0 for each a profile leaves out.
/// </remarks>
public sealed record Thresholds
{
    public double MaxErrorRate { get; set; } = 0.01;
    public double RollbackErrorRate { get; set; } = 0.05;
    public double MaxP95Seconds { get; set; } = 0.5;
    public double MaxP99Seconds { get; set; } = 1.0;
    public double RollbackLatencySeconds { get; set; } = 5.0;
    public double MinAgentSuccessRate { get; set; } = 0.95;
    public double NotableDegradation { get; set; } = 0.20;

    /// <summary>
    /// A slowdown smaller than this, in seconds, is not judged as degradation at all: 2 ms against 1 ms is "100 %" and
    /// nothing a user feels. A profile of a fast API (or a rehearsal) may lower it.
    /// </summary>
    public double MinDegradationSeconds { get; set; } = 0.05;

    /// <summary>Memory or CPU this much above the baseline (0.5 = half again) is out of the "normal range"; free disk falling by a fifth of it in one window too.</summary>
    public double MaxResourceGrowth { get; set; } = 0.5;

    /// <summary>Rates (errors, latency, agent success) are only judged over at least this many requests.</summary>
    public double MinimumRequests { get; set; } = 50;
}
