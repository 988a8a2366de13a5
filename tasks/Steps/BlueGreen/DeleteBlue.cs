using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Cluster;

namespace TwisterLab.Cake.Steps.BlueGreen;

/// <summary>
/// Deletes a deployment, keeping it as a manifest in the run folder first: that manifest is the undo. In a profile
/// that requires confirmation, the gateway refuses without --confirm.
/// </summary>
public abstract class DeleteDeploymentStep : DeployStep
{
    protected abstract string Target(DeployContext context);

    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return $"{context.Kubectl.Namespaced("get", $"deployment/{Target(context)}", "-o", "yaml")} > {context.Shown(Saved(context))}   # the undo";
        yield return context.Cluster.Deployments.DescribeDelete(Target(context));
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var path = Saved(context);
        await context.Cluster.SaveDeploymentAsync(Target(context), path, context.CancellationToken);
        context.Record(Name, ReapplyManifest.Of(path, context.Settings.Namespace));
        var guard = new DestructiveGuard(context.Settings.Profile.RequiresConfirmation, context.Settings.Confirm);
        await context.Cluster.Deployments.DeleteAsync(Target(context), guard, context.CancellationToken);
        context.Log.Information("Deleted deployment/{0} (kept as {1}).", Target(context), path);
    }

    private string Saved(DeployContext context) => Path.Combine(context.Runs.FolderOf(context.RunId), $"deleted-{Target(context)}.yaml");
}

[TaskDescription("Guide step 6: kubectl delete deployment/<blue> after the verification period (kept as a manifest in the run folder).")]
public sealed class DeleteBlue : DeleteDeploymentStep
{
    protected override string Target(DeployContext context) => context.RetiredDeployment;
}

[TaskDescription("Blue-green rollback: deletes the green deployment of --image-tag (kept as a manifest in the run folder).")]
public sealed class RemoveGreen : DeleteDeploymentStep, INeedImageTag
{
    protected override string Target(DeployContext context) => BlueGreen.GreenName(context);
}
