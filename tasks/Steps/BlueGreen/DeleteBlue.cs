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
        yield return $"kubectl get deployment/{Target(context)} -n {context.Settings.Namespace} -o yaml > {context.Shown(Saved(context))}   # the undo";
        yield return context.Cluster.Deployments.DescribeDelete(Target(context));
    }

    /// <summary>Checked before anything is saved or deleted (e.g. that no traffic still goes to the deployment).</summary>
    protected virtual Task EnsureSafeToDeleteAsync(DeployContext context) => Task.CompletedTask;

    protected override async Task ExecuteAsync(DeployContext context)
    {
        await EnsureSafeToDeleteAsync(context);
        var path = Saved(context);
        await context.Cluster.SaveDeploymentAsync(Target(context), path, context.CancellationToken);
        context.Record(Name, new ReapplyManifest(path, context.Settings.Namespace));
        var guard = new DestructiveGuard(context.Settings.Profile.RequiresConfirmation, context.Settings.Confirm);
        await context.Cluster.Deployments.DeleteAsync(Target(context), guard, context.CancellationToken);
        context.Log.Information("Deleted deployment/{0} (kept as {1}).", Target(context), path);
    }

    private string Saved(DeployContext context) => Path.Combine(context.Runs.FolderOf(context.RunId), $"deleted-{Target(context)}.yaml");
}

[TaskDescription("Guide step 6: kubectl delete deployment/<blue> after the verification period (kept as a manifest in the run folder).")]
public sealed class DeleteBlue : DeleteDeploymentStep
{
    protected override string Target(DeployContext context) => context.Deployment;

    /// <summary>
    /// Blue is retired only once the Service sends its traffic elsewhere: while its selector still matches blue's pods
    /// (no switch happened, or it was undone), deleting blue would take the API down.
    /// </summary>
    protected override async Task EnsureSafeToDeleteAsync(DeployContext context)
    {
        var service = context.Settings.Profile.Service;
        var selector = await context.Cluster.Services.GetSelectorAsync(service, context.CancellationToken);
        var blue = await context.Cluster.Deployments.GetAsync(context.Deployment, context.CancellationToken);
        if (Selectors.Matches(selector.ToDictionary(), blue.Spec.Template.Metadata.Labels))
        {
            throw new BadInputException($"service/{service} still sends traffic to deployment/{context.Deployment} (selector {Selectors.ToQuery(selector.ToDictionary())}): switch to green first (--target=BlueGreenDeploy); nothing was deleted.");
        }
    }
}

[TaskDescription("Blue-green rollback: deletes the green deployment of --image-tag (kept as a manifest in the run folder).")]
public sealed class RemoveGreen : DeleteDeploymentStep, INeedImageTag
{
    protected override string Target(DeployContext context) => BlueGreen.GreenName(context);
}
