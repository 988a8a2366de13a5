using k8s;
using k8s.Models;

namespace TwisterLab.Cake.Cluster;

/// <summary>What every focused gateway shares: the client, the retrying caller, the kubectl describer, the namespace.</summary>
internal sealed class ClusterScope(Lazy<IKubernetes> client, ApiCaller api, Kubectl kubectl, string @namespace)
{
    private int _watchResumes;

    public IKubernetes Client => client.Value;

    public ApiCaller Api { get; } = api;

    public Kubectl Kubectl { get; } = kubectl;

    public string Namespace { get; } = @namespace;

    public int WatchResumes => Volatile.Read(ref _watchResumes);

    public void CountResume() => Interlocked.Increment(ref _watchResumes);

    /// <summary>List+watch of one deployment by name (fieldSelector metadata.name), like kubectl rollout status.</summary>
    public IAsyncEnumerable<WatchUpdate<V1Deployment>> WatchDeployments(string name, CancellationToken cancellationToken) =>
        ResumableWatch.RunAsync<V1Deployment>(
            Api,
            $"deployment/{name} in namespace {Namespace}",
            async token =>
            {
                var list = await Client.AppsV1.ListNamespacedDeploymentAsync(Namespace, fieldSelector: $"metadata.name={name}", cancellationToken: token);
                return new Listed<V1Deployment>(list.Items.ToList(), list.Metadata.ResourceVersion);
            },
            (version, onError, token) => Client.AppsV1.WatchListNamespacedDeploymentAsync(
                Namespace, allowWatchBookmarks: true, fieldSelector: $"metadata.name={name}", resourceVersion: version, onError: onError, cancellationToken: token),
            CountResume,
            cancellationToken);

    /// <summary>List+watch of pods by label selector (and optionally field selector), in this namespace or all (<paramref name="allNamespaces"/>).</summary>
    public IAsyncEnumerable<WatchUpdate<V1Pod>> WatchPods(string? labelSelector, string? fieldSelector, bool allNamespaces, CancellationToken cancellationToken) =>
        ResumableWatch.RunAsync<V1Pod>(
            Api,
            $"pods{(labelSelector is null ? "" : $" -l {labelSelector}")}{(fieldSelector is null ? "" : $" --field-selector {fieldSelector}")}{(allNamespaces ? " in all namespaces" : $" in namespace {Namespace}")}",
            async token =>
            {
                var list = allNamespaces
                    ? await Client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: token)
                    : await Client.CoreV1.ListNamespacedPodAsync(Namespace, fieldSelector: fieldSelector, labelSelector: labelSelector, cancellationToken: token);
                return new Listed<V1Pod>(list.Items.ToList(), list.Metadata.ResourceVersion);
            },
            (version, onError, token) => allNamespaces
                ? Client.CoreV1.WatchListPodForAllNamespacesAsync(allowWatchBookmarks: true, fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, onError: onError, cancellationToken: token)
                : Client.CoreV1.WatchListNamespacedPodAsync(Namespace, allowWatchBookmarks: true, fieldSelector: fieldSelector, labelSelector: labelSelector, resourceVersion: version, onError: onError, cancellationToken: token),
            CountResume,
            cancellationToken);
}
