using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;

namespace TwisterLab.Cake.Rollback.Cluster;

/// <summary>
/// A rollout restart, recorded before a Secret change the deployment's pods read at start: undone in reverse, the
/// Secret comes back first and this restart then makes the pods read it.
/// </summary>
/// <param name="RolloutTimeout">How long the restart may take (the run's --rollout-timeout; default 10 minutes).</param>
public sealed record RestartDeployment(string Deployment, string Namespace, TimeSpan? RolloutTimeout = null) : Compensation
{
    public override string Describe() => new Kubectl(null, Namespace).Namespaced("rollout", "restart", $"deployment/{Deployment}").ToString();
}

public sealed class RestartDeploymentHandler(ClusterGateway cluster) : CompensationHandler<RestartDeployment>
{
    // A second restart only starts the pods once more with the same configuration: harmless, so idempotent.
    protected override async Task ApplyAsync(RestartDeployment compensation, CancellationToken cancellationToken)
    {
        var deployments = cluster.InNamespace(compensation.Namespace).Deployments;
        if (await deployments.FindAsync(compensation.Deployment, cancellationToken) is null)
        {
            return;
        }

        await deployments.RestartAsync(compensation.Deployment, cancellationToken);
        await deployments.WaitForRolloutAsync(compensation.Deployment, new RolloutWaitOptions(compensation.RolloutTimeout ?? TimeSpan.FromMinutes(10)), cancellationToken);
    }
}

/// <summary>
/// The old PostgreSQL deployment and its volume claims, deleted after verification: the data went with them, so a
/// failure after this holds for a person instead of pointing the API back at a server that is gone.
/// </summary>
public sealed record OldPostgresDeleted(string Deployment, string Namespace, IReadOnlyList<string> Claims, string? Backup) : Compensation
{
    public override bool Irreversible => true;

    public override string Describe() =>
        $"deployment/{Deployment} and pvc {string.Join(", ", Claims)} in {Namespace} were deleted: the old server can only be rebuilt from {Backup ?? "the pre-upgrade backup"}";
}

public sealed class OldPostgresDeletedHandler : CompensationHandler<OldPostgresDeleted>
{
    protected override Task ApplyAsync(OldPostgresDeleted compensation, CancellationToken cancellationToken) =>
        throw new InvalidOperationException(compensation.Describe());
}
