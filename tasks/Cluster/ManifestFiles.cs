using k8s;
using k8s.Models;

namespace TwisterLab.Cake.Cluster;

/// <summary>The saving of a live object as a manifest a later apply can bring back: the undo of a delete.</summary>
public static class ManifestFiles
{
    /// <summary>Writes the live deployment as a manifest (no status, uid or resourceVersion), so that applying it re-creates it.</summary>
    public static async Task SaveDeploymentAsync(this ClusterGateway cluster, string name, string path, CancellationToken cancellationToken)
    {
        var deployment = await cluster.Deployments.GetAsync(name, cancellationToken);
        deployment.Status = null;
        deployment.Metadata = new V1ObjectMeta
        {
            Name = deployment.Metadata.Name,
            NamespaceProperty = deployment.Metadata.NamespaceProperty,
            Labels = deployment.Metadata.Labels,
            Annotations = deployment.Metadata.Annotations?.Where(pair => !pair.Key.StartsWith("deployment.kubernetes.io/", StringComparison.Ordinal)).ToDictionary(),
        };
        deployment.ApiVersion = "apps/v1";
        deployment.Kind = "Deployment";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, KubernetesYaml.Serialize(deployment), cancellationToken);
    }
}
