using k8s;
using k8s.Exceptions;

namespace TwisterLab.Cake.Cluster;

/// <summary>Builds the KubernetesClient configuration and client for a <see cref="ClusterConnection"/>.</summary>
public static class ClusterClientFactory
{
    /// <summary>The configuration kubectl would use (see <see cref="KubeconfigLoader"/>); reads files only, calls no server.</summary>
    public static KubernetesClientConfiguration Configure(ClusterConnection connection)
    {
        var source = connection.InCluster ? new KubeconfigSource("in-cluster", []) : KubeconfigLoader.Choose(connection.Kubeconfig, connection.CallerDirectory);
        if (!source.InCluster)
        {
            return KubeconfigLoader.Build(source, connection.Context);
        }

        try
        {
            return KubernetesClientConfiguration.InClusterConfig();
        }
        catch (KubeConfigException exception)
        {
            throw new KubeconfigException(
                $"Cannot use the in-cluster service account: {exception.Message}. Run inside a pod with a service account, or pass --kubeconfig.",
                exception);
        }
    }

    /// <summary>A client for that configuration, counting its requests in <paramref name="counter"/> when given.</summary>
    public static Kubernetes CreateClient(KubernetesClientConfiguration configuration, RequestCounter? counter = null) =>
        counter is null ? new Kubernetes(configuration) : new Kubernetes(configuration, counter);
}
