using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps;

[TaskDescription("Guide: kubectl rollout status deployment/twisterlab-api — by watch; a crash-looping or unpullable new pod fails it at once.")]
public sealed class WaitForRollout : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return context.Cluster.Deployments.DescribeRolloutStatus(context.Deployment, context.Settings.RolloutTimeout);
    }

    protected override async Task ExecuteAsync(DeployContext context) =>
        context.Log.Information(await context.Cluster.Deployments.WaitForRolloutAsync(context.Deployment,
            new RolloutWaitOptions(context.Settings.RolloutTimeout, Heartbeat: context.Progress, Progress: line => context.Log.Information("  {0}", line)),
            context.CancellationToken));
}
