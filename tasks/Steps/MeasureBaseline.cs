using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps;

/// <summary>
/// The API's health over --baseline-window before anything changes: latency (mean, p95, p99), error rate, memory and
/// CPU, from the same source MonitorHealth reads. MonitorHealth judges "performance degradation" and the checklist's
/// "normal range" against it. Metrics that cannot be read leave those rows "not measured"; the run goes on.
/// </summary>
[TaskDescription("Beyond the guide: the metrics over a short window before the change (p95/p99, mean latency, error rate, memory, CPU), the baseline the decision matrix's degradation rows compare with.")]
public sealed class MeasureBaseline : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return $"sample {MonitorHealth.SourceName(context)} twice, {Durations.Format(context.Settings.BaselineWindow)} apart   # the baseline: latency, error rate, memory, CPU before the change";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var source = MonitorHealth.Source(context);
        try
        {
            await source.SampleAsync(context.CancellationToken);
            await Task.Delay(context.Settings.BaselineWindow, context.CancellationToken);
            context.Baseline = await source.SampleAsync(context.CancellationToken);
        }
        catch (HttpRequestException exception)
        {
            context.Notes.Add($"Baseline not measured ({source.Name}: {exception.Message}): degradation, memory and CPU are not judged.");
            return;
        }

        var baseline = context.Baseline;
        context.Log.Information("Baseline over {0}: {1} requests, error rate {2}, mean {3}, p95 {4}, p99 {5}, memory {6}, CPU {7}.",
            Durations.Format(context.Settings.BaselineWindow), baseline.Requests?.ToString("0") ?? "?", baseline.ErrorRate?.ToString("P1") ?? "not measured",
            Seconds(baseline.MeanSeconds), Seconds(baseline.P95Seconds), Seconds(baseline.P99Seconds),
            baseline.MemoryBytes.Count > 0 ? $"{baseline.MemoryBytes[^1] / 1e6:0} MB" : "not measured", baseline.CpuCores is { } cpu ? $"{cpu:0.00} cores" : "not measured");
    }

    private static string Seconds(double? value) => value is { } seconds ? $"{seconds:0.###} s" : "not measured";
}
