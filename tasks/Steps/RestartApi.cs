using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps;

/// <summary>
/// Restarts the API so its pods read the changed Secret. The restart changes no configuration of its own: its undo is
/// the restart the Secret change recorded, replayed after the old value is back.
/// </summary>
[TaskDescription("Guide: kubectl rollout restart deployment/twisterlab-api (pods pick up the new DATABASE_URL), then rollout status.")]
public sealed class RestartApi : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return context.Cluster.Deployments.DescribeRestart(context.Deployment);
        yield return context.Cluster.Deployments.DescribeRolloutStatus(context.Deployment, context.Settings.RolloutTimeout);
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var deployments = context.Cluster.Deployments;
        await deployments.RestartAsync(context.Deployment, context.CancellationToken);
        context.Log.Information(await deployments.WaitForRolloutAsync(context.Deployment, new RolloutWaitOptions(context.Settings.RolloutTimeout, Heartbeat: context.Progress), context.CancellationToken));
    }
}
