namespace TwisterLab.Cake.Cluster;

/// <summary>
/// Where the cluster is and how to talk to it. Nothing here is secret: credentials stay in the kubeconfig
/// (or the pod's service account) and are read by KubernetesClient.
/// </summary>
/// <param name="Kubeconfig">A kubeconfig file or a list of them (':'-separated, merged); null = $KUBECONFIG, else ~/.kube/config, else in-cluster (see <see cref="KubeconfigLoader"/>).</param>
/// <param name="Context">A context of that kubeconfig; null = its current-context.</param>
/// <param name="Namespace">The namespace every namespaced action uses; null = the context's namespace, else "default".</param>
/// <param name="InCluster">Use the pod's service account. Also chosen, as kubectl does, when no kubeconfig is found and KUBERNETES_SERVICE_HOST is set.</param>
public sealed record ClusterConnection(
    string? Kubeconfig = null,
    string? Context = null,
    string? Namespace = null,
    bool InCluster = false)
{
    /// <summary>How transient failures (429, 5xx, dropped connections) are retried.</summary>
    public RetryOptions Retry { get; init; } = RetryOptions.Default;

    /// <summary>Where a relative <see cref="Kubeconfig"/> is read from; null = <see cref="KubeconfigLoader.CallerDirectory"/>.</summary>
    public string? CallerDirectory { get; init; }
}

/// <summary>Retry of transient failures: exponential backoff with jitter from <see cref="BaseDelay"/>, at most <see cref="MaxDelay"/> apart.</summary>
public sealed record RetryOptions(int MaxRetries, TimeSpan BaseDelay, TimeSpan MaxDelay)
{
    public static readonly RetryOptions Default = new(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(5));
}
