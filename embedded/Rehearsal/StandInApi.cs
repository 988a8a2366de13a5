using System.Diagnostics;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TwisterLab.Cake.Metrics;

namespace TwisterLab.Cake.Rehearsal;

public sealed record StandInOptions
{
    public required IKubernetes Cluster { get; init; }
    public string Namespace { get; init; } = "twisterlab";
    public string Service { get; init; } = "twisterlab-api";

    /// <summary>Image tags whose pods start and report healthy but fail a share of real requests, slowly.</summary>
    public IReadOnlySet<string> FaultyVersions { get; init; } = new HashSet<string>();

    /// <summary>A faulty version fails one request in this many (3 = a third), evenly, so a rehearsal's rate is exact.</summary>
    public int FaultyFailsOneIn { get; init; } = 3;

    /// <summary>Image tags failing one request in the given number (a rate of their own, e.g. a degraded version).</summary>
    public IReadOnlyDictionary<string, int> DegradedVersions { get; init; } = new Dictionary<string, int>();

    /// <summary>How long every request takes at least (zero: as fast as it can), so that a slowdown has something to scale.</summary>
    public TimeSpan BaseLatency { get; init; }

    /// <summary>Image tags that answer this many times slower than <see cref="BaseLatency"/> (1.1 = 10 % slower).</summary>
    public IReadOnlyDictionary<string, double> SlowVersions { get; init; } = new Dictionary<string, double>();
}

/// <summary>
/// A small stand-in for the TwisterLab API, for rehearsals: /health, /metrics, the MCP tools and POST /agents.
/// Each request is served "by" a Ready pod the Service selects, so what it answers follows the version the
/// cluster runs: a faulty version fails a share of requests, no Ready pod (maintenance) gives 503.
/// </summary>
public sealed class StandInApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly StandInOptions _options;
    private readonly StandInMetrics _metrics = new();
    private readonly PodPicker _pods;
    private long _faultyServed;

    private StandInApi(WebApplication app, StandInOptions options)
    {
        _app = app;
        _options = options;
        _pods = new PodPicker(options);
    }

    public string BaseUrl { get; private set; } = string.Empty;

    public static async Task<StandInApi> StartAsync(StandInOptions options, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var api = new StandInApi(builder.Build(), options);
        api.MapEndpoints();
        await api._app.StartAsync(cancellationToken);
        api.BaseUrl = api._app.Urls.First();
        return api;
    }

    private void MapEndpoints()
    {
        _app.MapGet("/metrics", () => Results.Text(_metrics.Render(), "text/plain; version=0.0.4"));
        _app.MapGet("/health", (CancellationToken token) => Serve(token, version => Results.Json(new { status = "healthy", version })));
        _app.MapPost("/mcp/list_autonomous_agents", (CancellationToken token) =>
            Serve(token, _ => Results.Json(new { agents = new[] { "classifier", "resolver", "monitor" } }), agentRun: true));
        _app.MapPost("/mcp/classify_ticket", async (HttpRequest request, CancellationToken token) =>
        {
            var body = await JsonNode.ParseAsync(request.Body, cancellationToken: token);
            var ticket = body?["message"]?["payload"]?["args"]?["ticket"]?.GetValue<string>();
            return await Serve(token, _ => ticket is null
                ? Results.BadRequest(new { error = "message.payload.args.ticket is required" })
                : Results.Json(new { category = "general", ticket }), agentRun: true);
        });
        _app.MapPost("/agents/", async (HttpRequest request, CancellationToken token) =>
        {
            var body = await JsonNode.ParseAsync(request.Body, cancellationToken: token);
            var tenant = body?["tenantId"]?.GetValue<string>();
            return await Serve(token, _ => tenant is null
                ? Results.BadRequest(new { error = "tenantId is required" })
                : Results.Json(new { name = body?["name"]?.GetValue<string>(), tenantId = tenant }, statusCode: 201));
        });
        _app.MapPost("/browser/screenshot", () => Results.StatusCode(501));
    }

    private async Task<IResult> Serve(CancellationToken token, Func<string, IResult> answer, bool agentRun = false)
    {
        var clock = Stopwatch.StartNew();
        var version = await _pods.PickVersionAsync(token);
        IResult result;
        int status;
        if (version is null)
        {
            (result, status) = (Results.Text("Service unavailable: maintenance in progress", statusCode: 503), 503);
        }
        else if (FailsOneIn(version) is { } oneIn && Interlocked.Increment(ref _faultyServed) % oneIn == 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(600), token);
            (result, status) = (Results.Json(new { error = "internal error", version }, statusCode: 500), 500);
        }
        else
        {
            if (_options.BaseLatency > TimeSpan.Zero)
            {
                await Task.Delay(_options.BaseLatency * _options.SlowVersions.GetValueOrDefault(version, 1.0), token);
            }

            (result, status) = (answer(version), 200);
        }

        _metrics.Observe(status, clock.Elapsed.TotalSeconds, agentRun ? status < 500 : null);
        return result;
    }

    private int? FailsOneIn(string version) =>
        _options.FaultyVersions.Contains(version) ? _options.FaultyFailsOneIn : _options.DegradedVersions.TryGetValue(version, out var oneIn) ? oneIn : null;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
