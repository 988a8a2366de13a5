using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Cluster;

namespace TwisterLab.Cake.Steps.Maintenance;

/// <summary>
/// Sets the new image and starts one pod of it (still in maintenance), which the data migration runs in.
/// Undo: rollout undo to the revision before, and zero replicas again.
/// </summary>
[TaskDescription("Guide step 4: deploy the new version (set image, one pod for the data migration; users still see the maintenance page).")]
public sealed class DeployNewVersion : DeployStep, INeedImageTag
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        var deployments = context.Cluster.Deployments;
        yield return deployments.DescribeSetImage(context.Deployment, context.Container, context.NewImage);
        yield return deployments.DescribeScale(context.Deployment, 1);
        yield return deployments.DescribeRolloutStatus(context.Deployment, context.Settings.RolloutTimeout);
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var deployments = context.Cluster.Deployments;
        var revision = await deployments.GetRevisionAsync(context.Deployment, context.CancellationToken);
        context.Record(Name, new UndoToRevision(context.Deployment, context.Settings.Namespace, revision));
        await deployments.SetImageAsync(context.Deployment, context.Container, context.NewImage, context.CancellationToken);
        await ScaleRecordedAsync(context, context.Deployment, 1);
        await deployments.WaitForRolloutAsync(context.Deployment, new RolloutWaitOptions(context.Settings.RolloutTimeout, Heartbeat: context.Progress), context.CancellationToken);
    }
}
