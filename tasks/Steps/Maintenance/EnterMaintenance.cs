using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Cluster;

namespace TwisterLab.Cake.Steps.Maintenance;

/// <summary>The maintenance page of the project's manifests folder.</summary>
public static class MaintenancePage
{
    public static string Path(DeployContext context) => System.IO.Path.Combine(context.Settings.ManifestsDir, "maintenance-page.yaml");

    public static string Shown(DeployContext context) => context.Shown(Path(context));
}

/// <summary>Scales the API to zero and applies the maintenance page (503). Undo: the page removed, the replicas back.</summary>
[TaskDescription("Guide step 1: kubectl scale deployment/twisterlab-api --replicas=0; kubectl apply -f k8s/maintenance-page.yaml.")]
public sealed class EnterMaintenance : DeployStep, IHasPreconditions
{
    public IEnumerable<string> Problems(DeployContext context) =>
        File.Exists(MaintenancePage.Path(context)) ? [] : [$"{MaintenancePage.Path(context)} is missing (pass --manifests=<folder>)"];

    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return context.Cluster.Deployments.DescribeScale(context.Deployment, 0);
        yield return context.Cluster.Manifests.DescribeApply(MaintenancePage.Shown(context));
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var replicas = await ScaleRecordedAsync(context, context.Deployment, 0);
        context.Record(Name, DeleteManifestObjects.Of(MaintenancePage.Path(context), context.Settings.Namespace));
        await context.Cluster.Manifests.ApplyAsync(MaintenancePage.Path(context), dryRun: false, context.CancellationToken);
        context.Log.Information("Maintenance mode: {0} scaled from {1} to 0, maintenance page up.", context.Deployment, replicas);
    }
}

/// <summary>Scales the API back up and removes the maintenance page. Undo: the page back and the single pod.</summary>
[TaskDescription("Guide step 7: kubectl scale deployment/twisterlab-api --replicas=3; kubectl delete -f k8s/maintenance-page.yaml.")]
public sealed class ExitMaintenance : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return context.Cluster.Deployments.DescribeScale(context.Deployment, context.Settings.Profile.Replicas);
        yield return context.Cluster.Manifests.DescribeDelete(MaintenancePage.Shown(context));
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var deployments = context.Cluster.Deployments;
        await ScaleRecordedAsync(context, context.Deployment, context.Settings.Profile.Replicas);
        await deployments.WaitForRolloutAsync(context.Deployment, new Cluster.RolloutWaitOptions(context.Settings.RolloutTimeout, Heartbeat: context.Progress), context.CancellationToken);
        context.Record(Name, ReapplyManifest.Of(MaintenancePage.Path(context), context.Settings.Namespace));
        await context.Cluster.Manifests.DeleteAsync(MaintenancePage.Path(context), DestructiveGuard.NotProduction, context.CancellationToken);
        context.Log.Information("Out of maintenance: {0} at {1} replicas, maintenance page removed.", context.Deployment, context.Settings.Profile.Replicas);
    }
}
