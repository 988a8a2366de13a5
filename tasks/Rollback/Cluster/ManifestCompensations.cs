using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;

namespace TwisterLab.Cake.Rollback.Cluster;

/// <summary>The undo of applying a manifest that created its objects (e.g. the maintenance page): delete them.</summary>
public sealed record DeleteManifestObjects(string Path, string Namespace) : Compensation
{
    public override string Describe() => $"kubectl delete -f {Path} -n {Namespace} --ignore-not-found";
}

/// <summary>The undo of deleting objects: apply the manifest saved (or taken) before the delete.</summary>
public sealed record ReapplyManifest(string Path, string Namespace) : Compensation
{
    public override string Describe() => $"kubectl apply --server-side -f {Path} -n {Namespace}";
}

// Deleting what this run's apply created needs no production confirmation: the run's own change is being undone.
public sealed class DeleteManifestObjectsHandler(ClusterGateway cluster) : CompensationHandler<DeleteManifestObjects>
{
    protected override Task ApplyAsync(DeleteManifestObjects compensation, CancellationToken cancellationToken) =>
        cluster.InNamespace(compensation.Namespace).Manifests.DeleteAsync(compensation.Path, DestructiveGuard.NotProduction, cancellationToken);
}

public sealed class ReapplyManifestHandler(ClusterGateway cluster) : CompensationHandler<ReapplyManifest>
{
    // Server-side apply of the same file twice gives the same objects.
    protected override Task ApplyAsync(ReapplyManifest compensation, CancellationToken cancellationToken) =>
        cluster.InNamespace(compensation.Namespace).Manifests.ApplyAsync(compensation.Path, dryRun: false, cancellationToken);
}
