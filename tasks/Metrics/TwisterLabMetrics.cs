namespace TwisterLab.Cake.Metrics;

/// <summary>
/// The series names the TwisterLab API exposes and the Monitor step reads, in one place: the stand-in API of the
/// rehearsal writes them, the scrape source and the default PromQL queries read them.
/// </summary>
public static class TwisterLabMetrics
{
    public const string Requests = "twisterlab_http_requests_total";
    public const string Duration = "twisterlab_http_request_duration_seconds";
    public const string AgentRuns = "twisterlab_agent_runs_total";
    public const string DatabaseConnections = "twisterlab_db_connections";
    /// <summary>What every Prometheus client library exports about its process (the API's Python client does by default).</summary>
    public const string ProcessMemory = "process_resident_memory_bytes";
    public const string ProcessCpu = "process_cpu_seconds_total";

    /// <summary>node_exporter's free disk space: only where Prometheus also scrapes the nodes.</summary>
    public const string DiskFree = "node_filesystem_avail_bytes";
    public static readonly double[] DurationBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>The default queries for Prometheus (a profile may replace them), over a window like "5m".</summary>
    public static IReadOnlyDictionary<string, string> DefaultQueries(string window) => new Dictionary<string, string>
    {
        ["requests"] = $"sum(increase({Requests}[{window}]))",
        ["errorRate"] = $"sum(rate({Requests}{{status=~\"5..\"}}[{window}])) / sum(rate({Requests}[{window}]))",
        ["p95"] = $"histogram_quantile(0.95, sum by (le) (rate({Duration}_bucket[{window}])))",
        ["p99"] = $"histogram_quantile(0.99, sum by (le) (rate({Duration}_bucket[{window}])))",
        ["agentSuccessRate"] = $"sum(rate({AgentRuns}{{result=\"success\"}}[{window}])) / sum(rate({AgentRuns}[{window}]))",
        ["dbConnections"] = $"sum({DatabaseConnections})",
        ["mean"] = $"sum(rate({Duration}_sum[{window}])) / sum(rate({Duration}_count[{window}]))",
        ["memory"] = $"sum({ProcessMemory}{{job=~\".*twisterlab.*\"}})",
        ["cpu"] = $"sum(rate({ProcessCpu}{{job=~\".*twisterlab.*\"}}[{window}]))",
        ["diskFree"] = $"min({DiskFree}{{mountpoint=\"/\"}})",
    };
}
