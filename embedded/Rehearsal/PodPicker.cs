using k8s;
using k8s.Models;

namespace TwisterLab.Cake.Rehearsal;

/// <summary>
/// Plays the Service: picks one Ready pod among those its selector matches, and tells which version (image tag)
/// would answer. The list is cached for a moment so that a burst of requests does not flood the API server.
/// </summary>
internal sealed class PodPicker(StandInOptions options)
{
    private static readonly TimeSpan Freshness = TimeSpan.FromMilliseconds(200);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IReadOnlyList<string> _versions = [];
    private DateTime _readAt = DateTime.MinValue;

    public async Task<string?> PickVersionAsync(CancellationToken cancellationToken)
    {
        var versions = await ReadyVersionsAsync(cancellationToken);
        return versions.Count == 0 ? null : versions[Random.Shared.Next(versions.Count)];
    }

    private async Task<IReadOnlyList<string>> ReadyVersionsAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (DateTime.UtcNow - _readAt > Freshness)
            {
                _versions = await ReadAsync(cancellationToken);
                _readAt = DateTime.UtcNow;
            }

            return _versions;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IReadOnlyList<string>> ReadAsync(CancellationToken cancellationToken)
    {
        var service = await options.Cluster.CoreV1.ReadNamespacedServiceAsync(options.Service, options.Namespace, cancellationToken: cancellationToken);
        if (service.Spec.Selector is not { Count: > 0 } selector)
        {
            return [];
        }

        var pods = await options.Cluster.CoreV1.ListNamespacedPodAsync(options.Namespace,
            labelSelector: string.Join(",", selector.Select(pair => $"{pair.Key}={pair.Value}")), cancellationToken: cancellationToken);
        return pods.Items.Where(IsReady).Select(VersionOf).ToList();
    }

    private static bool IsReady(V1Pod pod) =>
        pod.Metadata.DeletionTimestamp is null &&
        pod.Status?.Conditions?.Any(condition => condition.Type == "Ready" && condition.Status == "True") == true;

    private static string VersionOf(V1Pod pod)
    {
        var image = pod.Spec.Containers[0].Image;
        var colon = image.LastIndexOf(':');
        return colon > image.LastIndexOf('/') ? image[(colon + 1)..] : "latest";
    }
}
