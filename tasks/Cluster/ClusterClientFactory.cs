using k8s;
using k8s.Exceptions;

namespace TwisterLab.Cake.Cluster;

/// <summary>Builds the KubernetesClient configuration and client for a <see cref="ClusterConnection"/>.</summary>
public static class ClusterClientFactory
{
    public static KubernetesClientConfiguration Configure(ClusterConnection connection)
    {
        if (connection.UsesInClusterConfig)
        {
            try
            {
                return KubernetesClientConfiguration.InClusterConfig();
            }
            catch (KubeConfigException exception)
            {
                throw new ClusterException(
                    $"Cannot use the in-cluster service account: {exception.Message}. Run inside a pod with a service account, or pass --kubeconfig.",
                    exception);
            }
        }

        var path = connection.Kubeconfig;
        if (path is not null && !File.Exists(path))
        {
            throw new ClusterException($"The kubeconfig '{path}' does not exist. Pass --kubeconfig=<file> with an existing file.");
        }

        try
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(path, connection.Context);
        }
        catch (KubeConfigException exception)
        {
            var which = path ?? "the default kubeconfig ($KUBECONFIG or ~/.kube/config)";
            throw new ClusterException(
                $"Cannot read {which}{(connection.Context is null ? "" : $" with context '{connection.Context}'")}: {exception.Message}. Check --kubeconfig and --context (kubectl config get-contexts).",
                exception);
        }
    }

    /// <summary>A client for that configuration, counting its requests in <paramref name="counter"/> when given.</summary>
    public static Kubernetes CreateClient(KubernetesClientConfiguration configuration, RequestCounter? counter = null) =>
        counter is null ? new Kubernetes(configuration) : new Kubernetes(configuration, counter);
}
