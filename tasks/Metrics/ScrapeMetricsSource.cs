
namespace TwisterLab.Cake.Metrics;

/// <summary>
/// Health from the API's own /metrics page when no Prometheus is given: the difference between the first scrape and
/// the latest gives the error rate, the latency quantiles (from the histogram buckets) and the agent success rate.
/// </summary>
public sealed class ScrapeMetricsSource(string metricsUrl, HttpClient? client = null) : IMetricsSource
{
    private readonly HttpClient _client = client ?? new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
    private readonly List<double> _connections = [];
    private readonly List<double> _memory = [];
    private readonly System.Diagnostics.Stopwatch _clock = new();
    private IReadOnlyList<MetricSample>? _start;

    public string Name => metricsUrl;

    public async Task<HealthSample> SampleAsync(CancellationToken cancellationToken)
    {
        var current = PrometheusText.Parse(await _client.GetStringAsync(metricsUrl, cancellationToken));
        var previous = _start ??= current;
        if (!_clock.IsRunning)
        {
            _clock.Start();
        }

        if (Sum(current, TwisterLabMetrics.DatabaseConnections, _ => true) is var connections)
        {
            _connections.Add(connections);
        }

        if (current.Any(sample => sample.Name == TwisterLabMetrics.ProcessMemory))
        {
            _memory.Add(Sum(current, TwisterLabMetrics.ProcessMemory, _ => true));
        }

        double Delta(string name, Func<IReadOnlyDictionary<string, string>, bool> where) => Sum(current, name, where) - Sum(previous, name, where);
        var requests = Delta(TwisterLabMetrics.Requests, _ => true);
        var errors = Delta(TwisterLabMetrics.Requests, labels => labels.GetValueOrDefault("status", "").StartsWith('5'));
        var agentRuns = Delta(TwisterLabMetrics.AgentRuns, _ => true);
        var agentSuccesses = Delta(TwisterLabMetrics.AgentRuns, labels => labels.GetValueOrDefault("result") == "success");
        var buckets = TwisterLabMetrics.DurationBuckets.Append(double.PositiveInfinity)
            .Select(bound => (bound, count: Delta(TwisterLabMetrics.Duration + "_bucket", labels => Bound(labels) == bound)))
            .ToList();
        var count = Delta(TwisterLabMetrics.Duration + "_count", _ => true);
        var cpu = current.Any(sample => sample.Name == TwisterLabMetrics.ProcessCpu) && _clock.Elapsed.TotalSeconds > 0.1
            ? Delta(TwisterLabMetrics.ProcessCpu, _ => true) / _clock.Elapsed.TotalSeconds
            : (double?)null;
        return new HealthSample
        {
            Requests = requests,
            MeanSeconds = count > 0 ? Delta(TwisterLabMetrics.Duration + "_sum", _ => true) / count : null,
            MemoryBytes = _memory.ToList(),
            CpuCores = cpu,
            ErrorRate = requests > 0 ? errors / requests : null,
            P95Seconds = Quantile(buckets, 0.95),
            P99Seconds = Quantile(buckets, 0.99),
            AgentSuccessRate = agentRuns > 0 ? agentSuccesses / agentRuns : null,
            DatabaseConnections = _connections.ToList(),
        };
    }

    private static double Sum(IEnumerable<MetricSample> samples, string name, Func<IReadOnlyDictionary<string, string>, bool> where) =>
        samples.Where(sample => sample.Name == name && where(sample.Labels)).Sum(sample => sample.Value);

    private static double Bound(IReadOnlyDictionary<string, string> labels) =>
        labels.TryGetValue("le", out var le) ? (le == "+Inf" ? double.PositiveInfinity : double.Parse(le, System.Globalization.CultureInfo.InvariantCulture)) : double.NaN;

    /// <summary>histogram_quantile's rule: linear interpolation inside the bucket where the rank falls.</summary>
    public static double? Quantile(IReadOnlyList<(double bound, double count)> cumulative, double quantile)
    {
        var total = cumulative[^1].count;
        if (total <= 0)
        {
            return null;
        }

        var rank = quantile * total;
        var lowerBound = 0.0;
        var lowerCount = 0.0;
        foreach (var (bound, count) in cumulative)
        {
            if (count >= rank)
            {
                return double.IsPositiveInfinity(bound)
                    ? lowerBound
                    : lowerBound + (bound - lowerBound) * ((rank - lowerCount) / Math.Max(count - lowerCount, double.Epsilon));
            }

            (lowerBound, lowerCount) = (bound, count);
        }

        return lowerBound;
    }
}
