namespace TwisterLab.Cake.Metrics;

/// <summary>One look at the new version's health. Null means "not measured": it neither passes nor fails.</summary>
public sealed record HealthSample
{
    /// <summary>How many requests the rates stand on; null when the source cannot tell.</summary>
    public double? Requests { get; init; }

    public double? ErrorRate { get; init; }
    public double? P95Seconds { get; init; }
    public double? P99Seconds { get; init; }
    public double? AgentSuccessRate { get; init; }

    /// <summary>p95 before the upgrade, to judge degradation.</summary>
    public double? BaselineP95Seconds { get; init; }

    /// <summary>Database connections over the window, oldest first.</summary>
    public IReadOnlyList<double> DatabaseConnections { get; init; } = [];

    /// <summary>False when the integrity snapshot after differs from before: the guide's "database corruption".</summary>
    public bool? IntegrityIntact { get; init; }
}
