using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.RedisUpgrade;

[TaskDescription("Guide step 3: kubectl rollout status deployment/redis.")]
public sealed class WaitForRedisRollout : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return context.Cluster.Deployments.DescribeRolloutStatus(RedisPod.Deployment(context), context.Settings.RolloutTimeout);
    }

    protected override async Task ExecuteAsync(DeployContext context) =>
        context.Log.Information(await context.Cluster.Deployments.WaitForRolloutAsync(RedisPod.Deployment(context),
            new RolloutWaitOptions(context.Settings.RolloutTimeout, Heartbeat: context.Progress, Progress: line => context.Log.Information("  {0}", line)), context.CancellationToken));
}
