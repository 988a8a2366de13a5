using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Cluster;

namespace TwisterLab.Cake.Steps.PostgresUpgrade;

/// <summary>Applies the new server's manifest (PVC, Deployment, Service) beside the old one. Undo: those objects deleted.</summary>
[TaskDescription("Guide step 2: kubectl apply -f k8s/deployments/postgres-16.yaml — the new PostgreSQL beside the old one (undo: its objects deleted).")]
public sealed class DeployNewPostgres : DeployStep, IHasPreconditions, IHasLivePreconditions
{
    public IEnumerable<string> Problems(DeployContext context)
    {
        if (!File.Exists(NewPostgres.Manifest(context)))
        {
            yield return $"{NewPostgres.Manifest(context)} is missing (pass --manifests=<folder> or --new-postgres=<name of deployments/<name>.yaml>)";
        }

        if (context.Settings.NewDatabaseUrl is null)
        {
            yield return $"add --new-database-url=postgresql://user:pass@host:port/{context.Settings.Profile.DatabaseName} to reach the new server (e.g. kubectl port-forward svc/{NewPostgres.Name(context)} 5433:5432)";
        }
    }

    public IEnumerable<string> DescribeChecks(DeployContext context)
    {
        yield return context.Kubectl.Namespaced("get", $"deployment/{NewPostgres.Name(context)}").ToString() + "   # must not exist yet";
    }

    public async Task<IReadOnlyList<string>> ProblemsAsync(DeployContext context) =>
        await context.Cluster.Deployments.FindAsync(NewPostgres.Name(context), context.CancellationToken) is null
            ? []
            : [$"deployment/{NewPostgres.Name(context)} already exists (left by an earlier run?): check it and delete it with kubectl delete -f {NewPostgres.ManifestShown(context)}, or name another with --new-postgres"];

    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return context.Cluster.Manifests.DescribeApply(NewPostgres.ManifestShown(context));
        yield return context.Cluster.Deployments.DescribeRolloutStatus(NewPostgres.Name(context), context.Settings.RolloutTimeout);
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        context.Record(Name, DeleteManifestObjects.Of(NewPostgres.Manifest(context), context.Settings.Namespace));
        await context.Cluster.Manifests.ApplyAsync(NewPostgres.Manifest(context), dryRun: false, context.CancellationToken);
        await context.Cluster.Deployments.WaitForRolloutAsync(NewPostgres.Name(context), new RolloutWaitOptions(context.Settings.RolloutTimeout, Heartbeat: context.Progress), context.CancellationToken);
        context.Log.Information("deployment/{0} is up beside deployment/{1}.", NewPostgres.Name(context), context.Settings.Profile.PostgresDeployment);
    }
}
