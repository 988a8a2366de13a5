using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Cluster;

namespace TwisterLab.Cake.Steps.RollingUpgrade;

[TaskDescription("Guide: kubectl set image deployment/twisterlab-api twisterlab-api=twisterlab-api:<tag> (undo: rollout undo to the revision read before, once the old image knows the schema).")]
public sealed class SetImage : DeployStep, INeedImageTag
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return context.Cluster.Deployments.DescribeSetImage(context.Deployment, context.Container, context.NewImage);
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var deployments = context.Cluster.Deployments;
        var live = await deployments.GetAsync(context.Deployment, context.CancellationToken);
        var revision = Cluster.RolloutRules.Revision(live) ?? 0;
        var image = live.Spec.Template.Spec.Containers.FirstOrDefault(container => container.Name == context.Container)?.Image;
        // The undo puts this image back: it carries what the schema gate needs to ask it first.
        context.Record(Name, new UndoToRevision(context.Deployment, context.Settings.Namespace, revision, image is null ? null : SchemaCheck.For(context, image)));
        var result = await deployments.SetImageAsync(context.Deployment, context.Container, context.NewImage, context.CancellationToken);
        context.Log.Information("{0}: {1} -> {2}", context.Deployment, result.PreviousImage ?? "?", context.NewImage);
        context.Recorder.Fact("image", new System.Text.Json.Nodes.JsonObject { ["deployment"] = context.Deployment, ["before"] = result.PreviousImage, ["after"] = context.NewImage, ["revisionBefore"] = revision });
    }
}
