using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Cluster;

namespace TwisterLab.Cake.Steps.BlueGreen;

/// <summary>
/// Points the Service at green (selector version=&lt;tag&gt;), after the gateway confirms green's pods are Ready
/// endpoints. With --canary=P it first serves P% from green beside blue (selector on the shared labels, green sized to
/// the share) while the monitor judges it, as the guide's step 3 asks. Undo: the previous selector and green's size.
/// </summary>
[TaskDescription("Guide steps 3 and 5: kubectl patch svc twisterlab-api -p '{\"spec\":{\"selector\":{\"version\":\"<tag>\"}}}' — with --canary=<percent> a shared-traffic phase first.")]
public sealed class SwitchTraffic : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        var services = context.Cluster.Services;
        var service = context.Settings.Profile.Service;
        if (context.Settings.CanaryPercent is { } percent)
        {
            yield return $"{context.Cluster.Deployments.DescribeScale(BlueGreen.GreenName(context), 1)}   # sized to {percent}% of blue's replicas (at least 1)";
            yield return $"{services.DescribeReplaceSelector(service, new Dictionary<string, string> { ["app"] = context.App })}   # blue and green both serve";
            yield return $"monitor the canary for {Durations.Format(context.Settings.MonitorWindow)} (checklist and decision matrix)";
        }

        yield return services.DescribePatchSelector(service, new Dictionary<string, string> { [BlueGreen.VersionLabel] = BlueGreen.GreenVersion(context) });
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var services = context.Cluster.Services;
        var service = context.Settings.Profile.Service;
        var selector = await services.GetSelectorAsync(service, context.CancellationToken);
        context.Record(Name, new RestoreServiceSelector(service, context.Settings.Namespace, selector));
        if (context.Settings.CanaryPercent is { } percent)
        {
            await RunCanaryAsync(context, selector, percent);
        }

        await services.PatchSelectorAsync(service, new Dictionary<string, string> { [BlueGreen.VersionLabel] = BlueGreen.GreenVersion(context) }, context.CancellationToken);
        context.Log.Information("Service {0} now selects version={1}.", service, BlueGreen.GreenVersion(context));
    }

    private async Task RunCanaryAsync(DeployContext context, IReadOnlyDictionary<string, string> selector, int percent)
    {
        var deployments = context.Cluster.Deployments;
        var green = BlueGreen.GreenName(context);
        var blueReplicas = (await deployments.GetAsync(context.Deployment, context.CancellationToken)).Spec.Replicas ?? 1;
        var share = Math.Max(1, (int)Math.Round(blueReplicas * percent / (100.0 - percent)));
        await ScaleRecordedAsync(context, green, share);
        await deployments.WaitForRolloutAsync(green, new Cluster.RolloutWaitOptions(context.Settings.RolloutTimeout, Heartbeat: context.Progress), context.CancellationToken);

        var shared = selector.Where(pair => pair.Key != BlueGreen.VersionLabel).ToDictionary();
        await context.Cluster.Services.ReplaceSelectorAsync(context.Settings.Profile.Service, shared, context.CancellationToken);
        var canary = $"Canary: {share} green pod(s) beside {blueReplicas} blue ({percent}% asked) behind {context.Settings.Profile.Service}.";
        context.Log.Information(canary);
        context.Notes.Add(canary);
        await MonitorHealth.WatchAsync(context);

        // The canary passed: green takes blue's size before it takes all the traffic.
        await deployments.ScaleAsync(green, blueReplicas, context.CancellationToken);
        await deployments.WaitForRolloutAsync(green, new Cluster.RolloutWaitOptions(context.Settings.RolloutTimeout, Heartbeat: context.Progress), context.CancellationToken);
    }
}
