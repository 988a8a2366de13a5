using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Cluster;

namespace TwisterLab.Cake.Steps.PostgresUpgrade;

/// <summary>
/// Deletes the old server and its volume claims, only with --delete-old: the data goes with them, so this is the
/// one step without an undo (recorded as irreversible: a failure after it holds for a person).
/// </summary>
[TaskDescription("Guide step 7 (--delete-old): kubectl delete deployment/postgres-13; kubectl delete pvc postgres-13-data — after verification, no undo.")]
public sealed class DeleteOldPostgres : DeployStep
{
    public override bool ShouldRun(DeployContext context) => context.Settings.DeleteOld;

    public override IEnumerable<string> Plan(DeployContext context)
    {
        var old = context.Settings.Profile.PostgresDeployment;
        yield return context.Cluster.Deployments.DescribeDelete(old);
        yield return context.Cluster.Volumes.DescribeDeleteClaim("<each claim of deployment/" + old + ">") + "   # irreversible: the backup is the way back";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var old = context.Settings.Profile.PostgresDeployment;
        var deployment = await context.Cluster.Deployments.GetAsync(old, context.CancellationToken);
        var claims = (deployment.Spec.Template.Spec.Volumes ?? [])
            .Select(volume => volume.PersistentVolumeClaim?.ClaimName)
            .OfType<string>()
            .ToList();
        context.Record(Name, new OldPostgresDeleted(old, context.Settings.Namespace, claims, context.LastBackup));
        var guard = new DestructiveGuard(context.Settings.Profile.RequiresConfirmation, context.Settings.Confirm);
        await context.Cluster.Deployments.DeleteAsync(old, guard, context.CancellationToken);
        foreach (var claim in claims)
        {
            await context.Cluster.Volumes.DeleteClaimAsync(claim, guard, context.CancellationToken);
        }

        context.Log.Information("Deleted deployment/{0} and pvc {1}; the backup {2} stays.", old, string.Join(", ", claims), context.LastBackup);
    }
}
