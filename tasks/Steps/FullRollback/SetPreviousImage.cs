using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Cluster;

namespace TwisterLab.Cake.Steps.FullRollback;

/// <summary>The version to go back to: --image-tag when given (the guide's v1.9), else the previous revision.</summary>
[TaskDescription("Guide: kubectl set image deployment/twisterlab-api twisterlab-api=twisterlab-api:<previous> (or rollout undo without --image-tag).")]
public sealed class SetPreviousImage(SchemaGate gate) : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        var deployments = context.Cluster.Deployments;
        yield return gate.Describe(context, context.Deployment, context.Settings.ImageTag is null ? "<previous image>" : context.NewImage);
        yield return context.Settings.ImageTag is null
            ? deployments.DescribeUndo(context.Deployment)
            : deployments.DescribeSetImage(context.Deployment, context.Container, context.NewImage);
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var deployments = context.Cluster.Deployments;
        // After the restore: the database is at the backup's revision, which the image put back must know.
        var image = context.Settings.ImageTag is null
            ? await deployments.ImageToUndoToAsync(context.Deployment, context.Container, null, context.CancellationToken)
            : context.NewImage;
        if (image is not null)
        {
            await gate.CheckBeforePuttingBackAsync(context, context.Deployment, image);
        }

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
