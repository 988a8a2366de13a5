namespace TwisterLab.Cake.Metrics;

/// <summary>One look at the new version's health. Null means "not measured": it neither passes nor fails.</summary>
public sealed record HealthSample
{
    /// <summary>How many requests the rates stand on; null when the source cannot tell.</summary>
    public double? Requests { get; init; }

    public double? ErrorRate { get; init; }
    public double? P95Seconds { get; init; }
    public double? P99Seconds { get; init; }

    /// <summary>Mean request duration (the histogram's sum over its count): exact, where quantiles only know buckets.</summary>
    public double? MeanSeconds { get; init; }

    public double? AgentSuccessRate { get; init; }

    /// <summary>p95 before the upgrade, to judge degradation (also read from <see cref="Baseline"/>).</summary>
    public double? BaselineP95Seconds { get; init; }

    /// <summary>The same measures over a short window before the change: what "degradation" and "normal range" compare with.</summary>
    public HealthSample? Baseline { get; init; }

    /// <summary>Database connections over the window, oldest first.</summary>
    public IReadOnlyList<double> DatabaseConnections { get; init; } = [];

    /// <summary>Resident memory of the API's processes over the window, oldest first (process_resident_memory_bytes).</summary>
    public IReadOnlyList<double> MemoryBytes { get; init; } = [];

    /// <summary>CPU the API's processes used over the window, in cores (rate of process_cpu_seconds_total).</summary>
    public double? CpuCores { get; init; }

    /// <summary>Free bytes on the API's disk over the window, oldest first (node_filesystem_avail_bytes, Prometheus only).</summary>
    public IReadOnlyList<double> DiskFreeBytes { get; init; } = [];

    /// <summary>False when the integrity check during the window failed: the guide's "database corruption".</summary>
    public bool? IntegrityIntact { get; init; }
}
