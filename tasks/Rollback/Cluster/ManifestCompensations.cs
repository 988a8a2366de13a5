using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;

namespace TwisterLab.Cake.Rollback.Cluster;

/// <summary>
/// The undo of applying a manifest that created its objects (e.g. the maintenance page): delete them. The record
/// carries the manifest's text too (<see cref="Manifest"/>): the file may be in a run folder on a machine that is gone.
/// </summary>
public sealed record DeleteManifestObjects(string Path, string Namespace, string? Manifest = null) : Compensation
{
    public override string Describe() => $"kubectl delete -f {Path} -n {Namespace} --ignore-not-found";

    /// <summary>The record of a manifest file as it is now (read before the change).</summary>
    public static DeleteManifestObjects Of(string path, string @namespace) => new(path, @namespace, File.ReadAllText(path));
}

/// <summary>The undo of deleting objects: apply the manifest saved (or taken) before the delete; its text travels in the record.</summary>
public sealed record ReapplyManifest(string Path, string Namespace, string? Manifest = null) : Compensation
{
    public override string Describe() => $"kubectl apply --server-side -f {Path} -n {Namespace}";

    public static ReapplyManifest Of(string path, string @namespace) => new(path, @namespace, File.ReadAllText(path));
}

/// <summary>The manifest file of a record: the one recorded when it is still there, else its text written to a temporary file.</summary>
internal sealed class RecordedManifest : IDisposable
{
    private readonly string? _temporary;

    public RecordedManifest(string path, string? text)
    {
        if (File.Exists(path) || Directory.Exists(path) || text is null)
        {
            Path = path;
            return;
        }

        var folder = Directory.CreateTempSubdirectory("twisterlab-undo-").FullName;
        _temporary = folder;
        Path = System.IO.Path.Combine(folder, System.IO.Path.GetFileName(path));
        PrivateFiles.WriteAllText(Path, text);
    }

    public string Path { get; }

    public void Dispose()
    {
        if (_temporary is not null)
        {
            Directory.Delete(_temporary, recursive: true);
        }
    }
}

// Deleting what this run's apply created needs no production confirmation: the run's own change is being undone.
public sealed class DeleteManifestObjectsHandler(ClusterGateway cluster) : CompensationHandler<DeleteManifestObjects>
{
    protected override async Task ApplyAsync(DeleteManifestObjects compensation, CancellationToken cancellationToken)
    {
        using var manifest = new RecordedManifest(compensation.Path, compensation.Manifest);
        await cluster.InNamespace(compensation.Namespace).Manifests.DeleteAsync(manifest.Path, DestructiveGuard.NotProduction, cancellationToken);
    }
}

public sealed class ReapplyManifestHandler(ClusterGateway cluster) : CompensationHandler<ReapplyManifest>
{
    // Server-side apply of the same file twice gives the same objects.
    protected override async Task ApplyAsync(ReapplyManifest compensation, CancellationToken cancellationToken)
    {
        using var manifest = new RecordedManifest(compensation.Path, compensation.Manifest);
        await cluster.InNamespace(compensation.Namespace).Manifests.ApplyAsync(manifest.Path, dryRun: false, cancellationToken);
    }
}
