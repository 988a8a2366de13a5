using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake.Rollback.Cluster;

// Each handler is idempotent: applying its record twice leaves the cluster as applying it once.

/// <param name="gate">Null only where no record carries a schema check (tools and tests over plain revisions).</param>
public sealed class UndoToRevisionHandler(ClusterGateway cluster, SchemaGate? gate = null) : CompensationHandler<UndoToRevision>
{
    protected override async Task ApplyAsync(UndoToRevision compensation, CancellationToken cancellationToken)
    {
        if (compensation.Revision <= 0)
        {
            return; // there was no rollout before the change: nothing to go back to
        }

        if (compensation.Schema is { } schema)
        {
            await (gate ?? throw new InvalidOperationException("this undo checks the schema first, and no schema gate was given")).CheckAsync(schema, compensation.Namespace, cancellationToken);
        }

        // UndoAsync skips when the template already matches, and finds a revision an earlier undo re-numbered.
        await cluster.InNamespace(compensation.Namespace).Deployments.UndoAsync(compensation.Deployment, compensation.Revision, cancellationToken);
    }
}

public sealed class ScaleBackHandler(ClusterGateway cluster) : CompensationHandler<ScaleBack>
{
    protected override Task ApplyAsync(ScaleBack compensation, CancellationToken cancellationToken) =>
        cluster.InNamespace(compensation.Namespace).Deployments.ScaleAsync(compensation.Deployment, compensation.Replicas, cancellationToken);
}

public sealed class RestoreServiceSelectorHandler(ClusterGateway cluster) : CompensationHandler<RestoreServiceSelector>
{
    protected override Task ApplyAsync(RestoreServiceSelector compensation, CancellationToken cancellationToken) =>
        cluster.InNamespace(compensation.Namespace).Services.ReplaceSelectorAsync(compensation.Service, compensation.Selector, cancellationToken);
}

public sealed class RestoreSecretKeyHandler(ClusterGateway cluster, SecretStash stash) : CompensationHandler<RestoreSecretKey>
{
    protected override async Task ApplyAsync(RestoreSecretKey compensation, CancellationToken cancellationToken)
    {
        var secrets = cluster.InNamespace(compensation.Namespace).Secrets;
        if (compensation.PreviousValueProtected is null)
        {
            await secrets.RemoveKeyAsync(compensation.Secret, compensation.Key, cancellationToken);
        }
        else
        {
            await secrets.SetKeyAsync(compensation.Secret, compensation.Key, stash.Unprotect(compensation.PreviousValueProtected), cancellationToken);
        }
    }
}

public sealed class DeleteDeploymentHandler(ClusterGateway cluster) : CompensationHandler<DeleteDeployment>
{
    // Deleting what this run created needs no production confirmation: the run's own change is being undone.
    protected override Task ApplyAsync(DeleteDeployment compensation, CancellationToken cancellationToken) =>
        cluster.InNamespace(compensation.Namespace).Deployments.DeleteAsync(compensation.Deployment, DestructiveGuard.NotProduction, cancellationToken);
}

public sealed class DeleteCreatedObjectHandler(ClusterGateway cluster) : CompensationHandler<DeleteCreatedObject>
{
    protected override Task ApplyAsync(DeleteCreatedObject compensation, CancellationToken cancellationToken) =>
        cluster.Manifests.DeleteObjectAsync(compensation.Kind, compensation.Namespace, compensation.Name, cancellationToken);
}

public sealed class UncordonHandler(ClusterGateway cluster) : CompensationHandler<Uncordon>
{
    protected override Task ApplyAsync(Uncordon compensation, CancellationToken cancellationToken) =>
        cluster.Nodes.UncordonAsync(compensation.Node, cancellationToken);
}

/// <summary>The cluster handlers, for registration: services.AddSingleton&lt;ICompensationHandler&gt;(...) for each.</summary>
public static class ClusterCompensationHandlers
{
    public static IReadOnlyList<Type> All { get; } =
    [
        typeof(UndoToRevisionHandler), typeof(ScaleBackHandler), typeof(RestoreServiceSelectorHandler),
        typeof(RestoreSecretKeyHandler), typeof(DeleteDeploymentHandler), typeof(DeleteCreatedObjectHandler), typeof(UncordonHandler),
    ];
}
