using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.BlueGreen;

[TaskDescription("Guide step 2: kubectl wait --for=condition=ready pod -l version=<tag>,app=twisterlab-api --timeout=5m (an unpullable or crash-looping green fails at once).")]
public sealed class WaitGreenReady : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return context.Cluster.Pods.DescribeWaitReady(BlueGreen.GreenPods(context), context.Settings.RolloutTimeout);
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var ready = await context.Cluster.Pods.WaitReadyAsync(BlueGreen.GreenPods(context), context.Settings.RolloutTimeout, context.CancellationToken);
        context.Log.Information("Green ready: {0}", string.Join(", ", ready));
    }
}
