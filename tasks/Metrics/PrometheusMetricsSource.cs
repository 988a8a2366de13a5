using System.Globalization;
using System.Text.Json;
using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake.Metrics;

/// <summary>Health from Prometheus's HTTP API (<c>/api/v1/query</c>), with the profile's PromQL queries.</summary>
public sealed class PrometheusMetricsSource(string prometheusUrl, IReadOnlyDictionary<string, string> queries, HttpClient? client = null) : IMetricsSource
{
    private readonly HttpClient _client = client ?? new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
    private readonly List<double> _connections = [];

    public string Name => prometheusUrl;

    public async Task<HealthSample> SampleAsync(CancellationToken cancellationToken)
    {
        if (await QueryAsync("dbConnections", cancellationToken) is { } connections)
        {
            _connections.Add(connections);
        }

        return new HealthSample
        {
            ErrorRate = await QueryAsync("errorRate", cancellationToken),
            P95Seconds = await QueryAsync("p95", cancellationToken),
            P99Seconds = await QueryAsync("p99", cancellationToken),
            AgentSuccessRate = await QueryAsync("agentSuccessRate", cancellationToken),
            DatabaseConnections = _connections.ToList(),
        };
    }

    /// <summary>The single value of an instant query; null when it has no data (or NaN, e.g. no traffic yet).</summary>
    private async Task<double?> QueryAsync(string name, CancellationToken cancellationToken)
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
