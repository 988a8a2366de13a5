using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Metrics;
using TwisterLab.Cake.Progress;
using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake.Steps;

/// <summary>
/// The guide's "monitor for 5-10 minutes": samples the metrics over --monitor-window and applies the checklist and
/// the decision matrix. A critical finding fails the step at once (so the chain rolls back); a high one ends the run
/// "degraded" with its journal ready; a low one is noted.
/// </summary>
[TaskDescription("Guide: 'Monitor metrics for 5-10 minutes' — the monitoring checklist and the emergency-rollback decision matrix over --monitor-window.")]
public sealed class MonitorHealth : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return $"sample {SourceName(context)} every {Durations.Format(context.Settings.MonitorInterval)} for {Durations.Format(context.Settings.MonitorWindow)}: " +
                     "error rate < 1%, p95 < 500ms, p99 < 1s, agent success > 95%, DB connections stable";
        yield return "decision matrix: error rate > 5% or latency > 5s → rollback; 1-5% → degraded; slower than the baseline: < 20% → note, ≥ 20% → rollback; memory, CPU, disk → note (or \"not measured\")";
        yield return "integrity at the end of the window (tables readable, alembic revision as at the start; needs --database-url): a failure → stop, restore the backup";
    }

    protected override Task ExecuteAsync(DeployContext context) => WatchAsync(context);

    /// <summary>The monitoring loop, also used by a blue-green canary phase.</summary>
    public static async Task WatchAsync(DeployContext context)
    {
        var source = Source(context);
        var thresholds = context.Settings.Profile.Thresholds;
        var deadline = DateTimeOffset.UtcNow + context.Settings.MonitorWindow;
        await source.SampleAsync(context.CancellationToken);
        var integrity = await IntegrityWatch.StartAsync(context);
        var expected = (long)Math.Max(1, Math.Ceiling(context.Settings.MonitorWindow / context.Settings.MonitorInterval));
        using var progress = context.Progress?.Start($"monitor of {source.Name}", ProgressUnit.Samples, expected);
        var taken = 0;
        Decision decision;
        HealthSample sample;
        do
        {
            await Task.Delay(context.Settings.MonitorInterval, context.CancellationToken);
            var last = DateTimeOffset.UtcNow + context.Settings.MonitorInterval >= deadline;
            sample = await source.SampleAsync(context.CancellationToken) with
            {
                Baseline = context.Baseline,
                IntegrityIntact = last ? await integrity.CheckAsync(context) : null,
            };
            decision = DecisionMatrix.Decide(sample, thresholds);
            context.Recorder.Append("monitorSamples", Sample(++taken, sample, decision));
            progress?.Set(taken);
            progress?.Describe(Reading(sample, decision));
            if (progress is null)
            {
                context.Log.Information("  {0}: {1}", source.Name, decision.Summary);
            }

            if (decision.Action is MatrixAction.ImmediateRollback or MatrixAction.StopAndRestoreBackup)
            {
                throw new InvalidOperationException($"Decision matrix: {decision.Action} — {decision.Summary}");
            }
        }
        while (DateTimeOffset.UtcNow < deadline);

        if (decision.NotMeasured.Count > 0)
        {
            context.Notes.Add($"Monitor: not measured: {string.Join(", ", decision.NotMeasured)}.");
        }

        if (sample.Requests < thresholds.MinimumRequests)
        {
            context.Notes.Add($"Monitor: only {sample.Requests} requests in {Durations.Format(context.Settings.MonitorWindow)}: too few to judge error rate and latency.");
        }

        if (decision.Action == MatrixAction.PrepareRollback)
        {
            context.MarkDegraded(decision.Summary);
            context.Log.Warning("Degraded: {0}. The rollback journal is kept: --target=Rollback --run={1}.", decision.Summary, context.RunId);
        }
        else if (decision.Findings.Count > 0)
        {
            context.Notes.Add($"Monitor: {decision.Summary}");
        }
    }

    // "error rate 0.4 %, p95 180 ms, 1,200 requests: healthy": what the progress line and the report's detail say.
    private static string Reading(HealthSample sample, Decision decision) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"error rate {(sample.ErrorRate is { } rate ? $"{rate * 100:0.##} %" : "n/a")}, p95 {(sample.P95Seconds is { } p95 ? $"{p95 * 1000:0} ms" : "n/a")}, {(sample.Requests is { } requests ? $"{requests:N0}" : "?")} requests: {decision.Summary}");

    private static System.Text.Json.Nodes.JsonObject Sample(int number, HealthSample sample, Decision decision) => new()
    {
        ["sample"] = number,
        ["at"] = DateTimeOffset.UtcNow,
        ["requests"] = sample.Requests,
        ["errorRate"] = sample.ErrorRate,
        ["p95Seconds"] = sample.P95Seconds,
        ["p99Seconds"] = sample.P99Seconds,
        ["decision"] = decision.Action.ToString(),
        ["summary"] = decision.Summary,
    };

    public static string SourceName(DeployContext context) =>
        context.Settings.PrometheusUrl is { } prometheus ? $"Prometheus {prometheus}" : context.MetricsUrl;

    public static IMetricsSource Source(DeployContext context) =>
        context.Settings.PrometheusUrl is { } prometheus
            ? new PrometheusMetricsSource(prometheus, TwisterLabMetrics.DefaultQueries)
            : new ScrapeMetricsSource(context.MetricsUrl);
}
