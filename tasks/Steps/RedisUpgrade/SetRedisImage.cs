using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Cluster;

namespace TwisterLab.Cake.Steps.RedisUpgrade;

[TaskDescription("Guide step 2: kubectl set image deployment/redis redis=redis:7.2-alpine (--redis-image; undo: rollout undo to the revision before).")]
public sealed class SetRedisImage : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return context.Cluster.Deployments.DescribeSetImage(RedisPod.Deployment(context), RedisPod.Container, context.Settings.RedisImage);
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var deployments = context.Cluster.Deployments;
        var revision = await deployments.GetRevisionAsync(RedisPod.Deployment(context), context.CancellationToken);
        context.Record(Name, new UndoToRevision(RedisPod.Deployment(context), context.Settings.Namespace, revision));
        var result = await deployments.SetImageAsync(RedisPod.Deployment(context), RedisPod.Container, context.Settings.RedisImage, context.CancellationToken);
        context.Log.Information(result.Changed ? "{0}: {1} -> {2}" : "{0}: already {2}", RedisPod.Deployment(context), result.PreviousImage ?? "?", context.Settings.RedisImage);
    }
}
