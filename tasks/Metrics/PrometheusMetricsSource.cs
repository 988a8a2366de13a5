using System.Globalization;
using System.Text.Json;

namespace TwisterLab.Cake.Metrics;

/// <summary>
/// Health from Prometheus's HTTP API (<c>/api/v1/query</c>): the PromQL queries, given the range since monitoring
/// started (e.g. "45s"), are evaluated at each sample.
/// </summary>
public sealed class PrometheusMetricsSource(string prometheusUrl, Func<string, IReadOnlyDictionary<string, string>> queries, HttpClient? client = null) : IMetricsSource
{
    private readonly HttpClient _client = client ?? new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
    private readonly List<double> _connections = [];
    private readonly List<double> _memory = [];
    private readonly List<double> _diskFree = [];
    private DateTimeOffset? _start;

    public string Name => prometheusUrl;

    public async Task<HealthSample> SampleAsync(CancellationToken cancellationToken)
    {
        _start ??= DateTimeOffset.UtcNow;
        // Prometheus needs a range of at least two scrapes to compute a rate.
        var window = queries($"{Math.Max(30, (int)(DateTimeOffset.UtcNow - _start.Value).TotalSeconds)}s");
        if (await QueryAsync(window, "dbConnections", cancellationToken) is { } connections)
        {
            _connections.Add(connections);
        }

        if (await QueryAsync(window, "memory", cancellationToken) is { } memory)
        {
            _memory.Add(memory);
        }

        if (await QueryAsync(window, "diskFree", cancellationToken) is { } diskFree)
        {
            _diskFree.Add(diskFree);
        }

        return new HealthSample
        {
            Requests = await QueryAsync(window, "requests", cancellationToken),
            ErrorRate = await QueryAsync(window, "errorRate", cancellationToken),
            P95Seconds = await QueryAsync(window, "p95", cancellationToken),
            P99Seconds = await QueryAsync(window, "p99", cancellationToken),
            MeanSeconds = await QueryAsync(window, "mean", cancellationToken),
            AgentSuccessRate = await QueryAsync(window, "agentSuccessRate", cancellationToken),
            DatabaseConnections = _connections.ToList(),
            MemoryBytes = _memory.ToList(),
            CpuCores = await QueryAsync(window, "cpu", cancellationToken),
            DiskFreeBytes = _diskFree.ToList(),
        };
    }

    /// <summary>The single value of an instant query; null when it has no data (or NaN, e.g. no traffic yet).</summary>
    private async Task<double?> QueryAsync(IReadOnlyDictionary<string, string> queries, string name, CancellationToken cancellationToken)
    {
        if (!queries.TryGetValue(name, out var query))
        {
            return null;
        }

        var url = $"{prometheusUrl.TrimEnd('/')}/api/v1/query?query={Uri.EscapeDataString(query)}";
        using var document = JsonDocument.Parse(await _client.GetStringAsync(url, cancellationToken));
        var data = document.RootElement.GetProperty("data");
        if (data.GetProperty("result") is not { ValueKind: JsonValueKind.Array } result || result.GetArrayLength() == 0)
        {
            return null;
        }

        var text = result[0].GetProperty("value")[1].GetString();
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;
    }
}
