using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace TwisterLab.Cake.Cluster;

/// <summary>A node as "kubectl get nodes -o wide" sums it up.</summary>
public sealed record NodeInfo(string Name, string? KubeletVersion, bool Ready, bool Unschedulable, string? InternalIp);

/// <summary>The API server's version.</summary>
public sealed record ServerVersion(string Major, string Minor, string GitVersion);

/// <summary>How a drain treats pods (kubectl drain's flags).</summary>
/// <param name="Timeout">Give up after this long (pods still blocked by a PodDisruptionBudget are named).</param>
/// <param name="IgnoreDaemonSets">--ignore-daemonsets: leave DaemonSet pods (else they fail the drain).</param>
/// <param name="DeleteEmptyDirData">--delete-emptydir-data: evict pods with emptyDir volumes (their data is lost).</param>
/// <param name="Force">--force: evict pods no controller will recreate.</param>
/// <param name="EvictionRetryInterval">How long to wait before retrying an eviction a PodDisruptionBudget refused (kubectl: 5 s).</param>
public sealed record DrainOptions(
    TimeSpan Timeout,
    bool IgnoreDaemonSets = true,
    bool DeleteEmptyDirData = false,
    bool Force = false,
    TimeSpan? EvictionRetryInterval = null);

/// <summary>What a drain did: whether the node was already cordoned (the undo leaves it so), evicted and skipped pods.</summary>
public sealed record DrainResult(bool WasUnschedulable, IReadOnlyList<string> Evicted, IReadOnlyList<string> Skipped);

/// <summary>Nodes: list, server version, cordon, drain, uncordon.</summary>
public sealed class Nodes
{
    private const string MirrorAnnotation = "kubernetes.io/config.mirror";
    private readonly ClusterScope _scope;

    internal Nodes(ClusterScope scope) => _scope = scope;

    private IKubernetes Client => _scope.Client;

    public string DescribeList() => _scope.Kubectl.ClusterScoped("get", "nodes", "-o", "wide").ToString();

    public async Task<IReadOnlyList<NodeInfo>> ListAsync(CancellationToken cancellationToken)
    {
        var nodes = await _scope.Api.CallAsync("list nodes", token => Client.CoreV1.ListNodeAsync(cancellationToken: token), cancellationToken);
        return nodes.Items.Select(node => new NodeInfo(
                node.Metadata.Name,
                node.Status?.NodeInfo?.KubeletVersion,
                node.Status?.Conditions?.Any(condition => condition.Type == "Ready" && condition.Status == "True") == true,
                node.Spec?.Unschedulable == true,
                node.Status?.Addresses?.FirstOrDefault(address => address.Type == "InternalIP")?.Address))
            .OrderBy(node => node.Name, StringComparer.Ordinal)
            .ToList();
    }

    public string DescribeServerVersion() => _scope.Kubectl.ClusterScoped("version").ToString();

    public async Task<ServerVersion> ServerVersionAsync(CancellationToken cancellationToken)
    {
        var version = await _scope.Api.CallAsync("get the server version", token => Client.Version.GetCodeAsync(token), cancellationToken);
        return new ServerVersion(version.Major, version.Minor, version.GitVersion);
    }

    public string DescribeCordon(string node) => CommandCordon(node).ToString();

    public KubectlCommand CommandCordon(string node) => _scope.Kubectl.ClusterScoped("cordon", node);

    /// <summary>Marks the node unschedulable. Returns whether it already was (then the undo must not uncordon it).</summary>
    public Task<bool> CordonAsync(string node, CancellationToken cancellationToken) => SetUnschedulableAsync(node, true, cancellationToken);

    public string DescribeUncordon(string node) => CommandUncordon(node).ToString();

    public KubectlCommand CommandUncordon(string node) => _scope.Kubectl.ClusterScoped("uncordon", node);

    /// <summary>Marks the node schedulable again. Returns whether it was unschedulable. Idempotent.</summary>
    public Task<bool> UncordonAsync(string node, CancellationToken cancellationToken) => SetUnschedulableAsync(node, false, cancellationToken);

    private async Task<bool> SetUnschedulableAsync(string node, bool unschedulable, CancellationToken cancellationToken)
    {
        var verb = unschedulable ? "cordon" : "uncordon";
        var current = await _scope.Api.CallAsync($"get node/{node}", token => Client.CoreV1.ReadNodeAsync(node, cancellationToken: token), cancellationToken);
        var was = current.Spec?.Unschedulable == true;
        if (was != unschedulable)
        {
            var patch = new JsonObject { ["spec"] = new JsonObject { ["unschedulable"] = unschedulable } };
            await _scope.Api.CallAsync($"{verb} node/{node}", token => Client.CoreV1.PatchNodeAsync(
                new V1Patch(patch.ToJsonString(), V1Patch.PatchType.StrategicMergePatch), node, fieldManager: ClusterGateway.FieldManager, cancellationToken: token), cancellationToken);
        }

        return was;
    }

    public string DescribeDrain(string node, DrainOptions options) => CommandDrain(node, options).ToString();

    public KubectlCommand CommandDrain(string node, DrainOptions options)
    {
        var arguments = new List<object> { "drain", node };
        if (options.IgnoreDaemonSets)
        {
            arguments.Add("--ignore-daemonsets");
        }

        if (options.DeleteEmptyDirData)
        {
            arguments.Add("--delete-emptydir-data");
        }

        if (options.Force)
        {
            arguments.Add("--force");
        }

        arguments.Add($"--timeout={(long)Math.Ceiling(options.Timeout.TotalSeconds)}s");
        return _scope.Kubectl.ClusterScoped(arguments.ToArray());
    }

    /// <summary>
    /// Cordons the node, then evicts its pods through the Eviction API (so PodDisruptionBudgets are honoured; a refused
    /// eviction is retried until the timeout), skipping DaemonSet and mirror pods, and waits until the evicted pods are
    /// gone. Pods kubectl would refuse to drain (emptyDir without the flag, no controller without force, DaemonSet pods
    /// without --ignore-daemonsets) fail the drain before anything is evicted.
    /// </summary>
    public async Task<DrainResult> DrainAsync(string node, DrainOptions options, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var token = timeout.Token;
        var wasUnschedulable = await CordonAsync(node, cancellationToken);
        var pods = await _scope.Api.CallAsync($"list pods on node/{node}",
            t => Client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: $"spec.nodeName={node}", cancellationToken: t), cancellationToken);

        var toEvict = new List<V1Pod>();
        var skipped = new List<string>();
        var refusals = new List<string>();
        foreach (var pod in pods.Items)
        {
            var id = $"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}";
            var owner = pod.Metadata.OwnerReferences?.FirstOrDefault(reference => reference.Controller == true);
            if (pod.Metadata.DeletionTimestamp is not null || pod.Metadata.Annotations?.ContainsKey(MirrorAnnotation) == true)
            {
                skipped.Add(id);
            }
            else if (owner?.Kind == "DaemonSet")
            {
                if (!options.Force && !await DaemonSetExistsAsync(pod.Metadata.NamespaceProperty, owner.Name, cancellationToken))
                {
                    refusals.Add($"{id} belongs to DaemonSet {owner.Name}, which no longer exists (pass Force, kubectl --force)");
                }
                else if (options.IgnoreDaemonSets)
                {
                    skipped.Add(id);
                }
                else
                {
                    refusals.Add($"{id} is managed by DaemonSet {owner.Name} (pass IgnoreDaemonSets, kubectl --ignore-daemonsets)");
                }
            }
            else if (pod.Status?.Phase is "Succeeded" or "Failed")
            {
                toEvict.Add(pod);
            }
            else if (pod.Spec?.Volumes?.Any(volume => volume.EmptyDir is not null) == true && !options.DeleteEmptyDirData)
            {
                refusals.Add($"{id} uses emptyDir storage whose data would be lost (pass DeleteEmptyDirData, kubectl --delete-emptydir-data)");
            }
            else if (owner is null && !options.Force)
            {
                refusals.Add($"{id} has no controller to recreate it (pass Force, kubectl --force)");
            }
            else
            {
                toEvict.Add(pod);
            }
        }

        if (refusals.Count > 0)
        {
            throw new ClusterException($"Cannot drain node/{node}: {string.Join("; ", refusals)}. The node stays cordoned; uncordon it with kubectl uncordon {node} if you stop here.");
        }

        var interval = options.EvictionRetryInterval ?? TimeSpan.FromSeconds(5);
        var pending = toEvict.ToDictionary(pod => pod.Metadata.Uid);
        var blocked = new ConcurrentDictionary<string, string>();
        try
        {
            await Task.WhenAll(toEvict.Select(pod => EvictAsync(pod, interval, blocked, token)));
            await WaitPodsGoneAsync(node, pending, token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ClusterException(
                $"Cannot drain node/{node} within {options.Timeout.TotalSeconds:0.#}s: {string.Join(", ", blocked.Select(entry => $"{entry.Key} ({entry.Value})").DefaultIfEmpty("evicted pods did not terminate"))}. The node stays cordoned. Check the PodDisruptionBudgets (kubectl get pdb -A) or raise the timeout.");
        }

        return new DrainResult(wasUnschedulable, toEvict.Select(pod => $"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}").ToList(), skipped);
    }

    private async Task<bool> DaemonSetExistsAsync(string @namespace, string name, CancellationToken cancellationToken) =>
        await _scope.Api.FindAsync($"get daemonset/{name} in namespace {@namespace}",
            token => Client.AppsV1.ReadNamespacedDaemonSetAsync(name, @namespace, cancellationToken: token), cancellationToken) is not null;

    private async Task EvictAsync(V1Pod pod, TimeSpan retryInterval, ConcurrentDictionary<string, string> blocked, CancellationToken cancellationToken)
    {
        var id = $"{pod.Metadata.NamespaceProperty}/{pod.Metadata.Name}";
        var eviction = new V1Eviction
        {
            ApiVersion = "policy/v1",
            Kind = "Eviction",
            Metadata = new V1ObjectMeta { Name = pod.Metadata.Name, NamespaceProperty = pod.Metadata.NamespaceProperty },
        };
        while (true)
        {
            try
            {
                await _scope.Api.CallAsync($"evict pod/{pod.Metadata.Name} in namespace {pod.Metadata.NamespaceProperty}",
                    token => Client.CoreV1.CreateNamespacedPodEvictionAsync(eviction, pod.Metadata.Name, pod.Metadata.NamespaceProperty, cancellationToken: token),
                    cancellationToken, retryTooManyRequests: false);
                blocked.TryRemove(id, out _);
                return;
            }
            catch (ClusterException exception) when (exception.StatusCode == 404)
            {
                blocked.TryRemove(id, out _);
                return; // already gone
            }
            catch (ClusterException exception) when (exception.StatusCode == 429)
            {
                // A PodDisruptionBudget refuses for now; kubectl retries every 5 s until its timeout.
                blocked[id] = "blocked by a PodDisruptionBudget";
                await Task.Delay(retryInterval, cancellationToken);
            }
        }
    }

    private async Task WaitPodsGoneAsync(string node, Dictionary<string, V1Pod> pending, CancellationToken cancellationToken)
    {
        if (pending.Count == 0)
        {
            return;
        }

        var remaining = new HashSet<string>(pending.Keys);
        await foreach (var update in _scope.WatchPods(null, $"spec.nodeName={node}", allNamespaces: true, cancellationToken))
        {
            if (update.IsSnapshot)
            {
                remaining.IntersectWith(update.Snapshot!.Select(pod => pod.Metadata.Uid));
            }
            else if (update.Type == WatchEventType.Deleted)
            {
                remaining.Remove(update.Object!.Metadata.Uid);
            }

            if (remaining.Count == 0)
            {
                return;
            }
        }
    }
}
