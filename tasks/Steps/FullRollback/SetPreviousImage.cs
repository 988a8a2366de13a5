using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Cluster;

namespace TwisterLab.Cake.Steps.FullRollback;

/// <summary>The version to go back to: --image-tag when given (the guide's v1.9), else the previous revision.</summary>
[TaskDescription("Guide: kubectl set image deployment/twisterlab-api twisterlab-api=twisterlab-api:<previous> (or rollout undo without --image-tag).")]
public sealed class SetPreviousImage : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        var deployments = context.Cluster.Deployments;
        yield return context.Settings.ImageTag is null
            ? deployments.DescribeUndo(context.Deployment)
            : deployments.DescribeSetImage(context.Deployment, context.Container, context.NewImage);
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var deployments = context.Cluster.Deployments;
        var revision = await deployments.GetRevisionAsync(context.Deployment, context.CancellationToken);
        context.Record(Name, new UndoToRevision(context.Deployment, context.Settings.Namespace, revision));
        if (context.Settings.ImageTag is null)
        {
            var undo = await deployments.UndoAsync(context.Deployment, null, context.CancellationToken);
            context.Log.Information("{0}: revision {1} -> {2}", context.Deployment, undo.FromRevision, undo.ToRevision);
        }
        else
        {
            await deployments.SetImageAsync(context.Deployment, context.Container, context.NewImage, context.CancellationToken);
            context.Log.Information("{0}: image {1}", context.Deployment, context.NewImage);
        }
    }
}
