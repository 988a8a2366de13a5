using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;

namespace TwisterLab.Cake.Probes;

public sealed record ProbeResult(string Method, string Url, int? Status, TimeSpan Elapsed, string Body, string? Error)
{
    public bool Ok => Status is >= 200 and < 300;

    public override string ToString() => $"{Method} {Url} → {(Status?.ToString() ?? Error)} in {Elapsed.TotalMilliseconds:0} ms";
}

/// <summary>
/// The guide's curl lines (health, MCP tools, metrics) as HTTP calls: each returns what it saw rather than
/// throwing, so a verification can list every check in one table.
/// </summary>
public sealed class HttpProbe(HttpClient? client = null)
{
    private readonly HttpClient _client = client ?? new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

    public Task<ProbeResult> GetAsync(string url, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, url, body: null, cancellationToken);

    public Task<ProbeResult> PostJsonAsync(string url, string? json, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, url, json, cancellationToken);

    /// <summary>Retries a GET until it answers 2xx or the time is up (a new version may take a moment to serve).</summary>
    public async Task<ProbeResult> WaitHealthyAsync(string url, TimeSpan timeout, TimeSpan interval, CancellationToken cancellationToken = default)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var result = await GetAsync(url, cancellationToken);
            if (result.Ok || deadline.Elapsed + interval > timeout)
            {
                return result;
            }

            await Task.Delay(interval, cancellationToken);
        }
    }

    /// <summary>The equivalent command line, for plans and logs.</summary>
    public static string Describe(string method, string url, string? json = null) =>
        json is null
            ? $"curl -fsS{(method == "POST" ? " -X POST" : string.Empty)} {url}"
            : $"curl -fsS -X POST {url} -H \"Content-Type: application/json\" -d '{json}'";

    private async Task<ProbeResult> SendAsync(HttpMethod method, string url, string? body, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var request = new HttpRequestMessage(method, url);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
            }

            using var response = await _client.SendAsync(request, cancellationToken);
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            return new ProbeResult(method.Method, url, (int)response.StatusCode, clock.Elapsed, text, null);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new ProbeResult(method.Method, url, null, clock.Elapsed, string.Empty, exception.Message);
        }
    }
}
