using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Cluster;

namespace TwisterLab.Cake.Steps.SqliteMigration;

/// <summary>
/// Applies the PostgreSQL manifest. Objects that already exist are left to the apply (same file, same objects); only
/// those this run creates get an undo, so a rollback never deletes a server that was there before.
/// </summary>
[TaskDescription("Guide step 2: kubectl apply -f k8s/deployments/postgres.yaml, then wait for it (undo: delete what this apply created).")]
public sealed class DeployPostgres : DeployStep, IHasPreconditions, IStartsTheDatabase
{
    public IEnumerable<string> Problems(DeployContext context) =>
        File.Exists(Manifest(context)) ? [] : [$"{Manifest(context)} is missing (pass --manifests=<folder>)"];

    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return context.Cluster.Manifests.DescribeApply(context.Shown(Manifest(context)));
        yield return context.Cluster.Deployments.DescribeRolloutStatus(context.Settings.Profile.PostgresDeployment, context.Settings.RolloutTimeout);
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var manifests = context.Cluster.Manifests;
        var wouldCreate = (await manifests.ApplyAsync(Manifest(context), dryRun: true, context.CancellationToken)).Where(item => item.Created).ToList();
        foreach (var created in wouldCreate)
        {
            context.Record(Name, new DeleteCreatedObject(created.Kind, created.Namespace ?? context.Settings.Namespace, created.Name));
        }

        await manifests.ApplyAsync(Manifest(context), dryRun: false, context.CancellationToken);
        await context.Cluster.Deployments.WaitForRolloutAsync(context.Settings.Profile.PostgresDeployment, new RolloutWaitOptions(context.Settings.RolloutTimeout, Heartbeat: context.Progress), context.CancellationToken);
        context.Log.Information("deployment/{0} ready ({1}).", context.Settings.Profile.PostgresDeployment,
            wouldCreate.Count == 0 ? "it was there already" : "created: " + string.Join(", ", wouldCreate.Select(item => $"{item.Kind.ToLowerInvariant()}/{item.Name}")));
    }

    private static string Manifest(DeployContext context) => Path.Combine(context.Settings.ManifestsDir, "deployments", context.Settings.Profile.PostgresDeployment + ".yaml");
}
