using k8s;
using k8s.Autorest;
using k8s.Models;

namespace TwisterLab.Cake.Cluster;

/// <summary>
/// kubectl delete -f, and the saving of a live object as a manifest a later apply can bring back (the undo of a
/// delete). Kept beside <see cref="Manifests"/> as extensions of the gateway.
/// </summary>
public static class ManifestFiles
{
    public static string DescribeDeleteManifest(this ClusterGateway cluster, string path) =>
        cluster.Scope.Kubectl.Namespaced("delete", "-f", path, "--ignore-not-found").ToString();

    /// <summary>Deletes every object of the file, last first; objects already gone are fine. Returns how many were deleted.</summary>
    public static async Task<int> DeleteManifestAsync(this ClusterGateway cluster, string path, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var item in (await Manifests.LoadAsync(path)).Reverse())
        {
            var ns = item.Metadata.NamespaceProperty ?? cluster.Namespace;
            var name = item.Metadata.Name;
            try
            {
                await cluster.Scope.Api.CallAsync($"delete {item.Kind.ToLowerInvariant()}/{name} in namespace {ns}", token => DeleteOneAsync(cluster.Client, item, ns, token), cancellationToken);
                deleted++;
            }
            catch (ClusterException exception) when (exception.StatusCode == 404)
            {
                // Already gone: a delete is idempotent.
            }
            catch (System.Text.Json.JsonException) when (item is V1Service)
            {
                // The API server answers a Service delete with a Status, which KubernetesClient tries to read as a
                // Service (kubernetes-client/csharp#824, #847): the delete itself succeeded.
                deleted++;
            }
        }

        return deleted;
    }

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

    private static Task DeleteOneAsync(IKubernetes client, IKubernetesObject<V1ObjectMeta> item, string ns, CancellationToken token)
    {
        var name = item.Metadata.Name;
        var options = new V1DeleteOptions { PropagationPolicy = "Background" };
        return item switch
        {
            V1Deployment => client.AppsV1.DeleteNamespacedDeploymentAsync(name, ns, options, cancellationToken: token),
            V1Service => client.CoreV1.DeleteNamespacedServiceAsync(name, ns, options, cancellationToken: token),
            V1ConfigMap => client.CoreV1.DeleteNamespacedConfigMapAsync(name, ns, options, cancellationToken: token),
            V1Secret => client.CoreV1.DeleteNamespacedSecretAsync(name, ns, options, cancellationToken: token),
            V1PersistentVolumeClaim => client.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync(name, ns, options, cancellationToken: token),
            _ => throw new ClusterException($"Cannot delete {item.Kind}/{name}: delete it with kubectl delete."),
        };
    }
}
