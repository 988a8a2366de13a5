using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace TwisterLab.Cake.Cluster;

/// <summary>Services: read and switch the selector (blue-green).</summary>
public sealed class Services
{
    private readonly ClusterScope _scope;

    internal Services(ClusterScope scope) => _scope = scope;

    private string Where(string name) => $"service/{name} in namespace {_scope.Namespace}";

    public Task<V1Service> GetAsync(string name, CancellationToken cancellationToken) =>
        _scope.Api.CallAsync($"get {Where(name)}", token => _scope.Client.CoreV1.ReadNamespacedServiceAsync(name, _scope.Namespace, cancellationToken: token), cancellationToken);

    public Task<V1Service?> FindAsync(string name, CancellationToken cancellationToken) =>
        _scope.Api.FindAsync($"get {Where(name)}", token => _scope.Client.CoreV1.ReadNamespacedServiceAsync(name, _scope.Namespace, cancellationToken: token), cancellationToken);

    public async Task<IReadOnlyDictionary<string, string>> GetSelectorAsync(string name, CancellationToken cancellationToken) =>
        new Dictionary<string, string>((await GetAsync(name, cancellationToken)).Spec?.Selector ?? new Dictionary<string, string>());

    public string DescribePatchSelector(string name, IReadOnlyDictionary<string, string> changes) => CommandPatchSelector(name, changes).ToString();

    public KubectlCommand CommandPatchSelector(string name, IReadOnlyDictionary<string, string> changes) =>
        _scope.Kubectl.Namespaced("patch", $"svc/{name}", "-p", $"{{\"spec\":{{\"selector\":{Selectors.Json(changes.ToDictionary())}}}}}");

    /// <summary>
    /// Merges <paramref name="changes"/> into the selector (as kubectl patch -p '{"spec":{"selector":{...}}}'),
    /// after checking that the pods the new selector picks are Ready and would be endpoints: at least one, and
    /// none of them not Ready. Returns the whole previous selector (the undo restores it exactly).
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> PatchSelectorAsync(string name, IReadOnlyDictionary<string, string> changes, CancellationToken cancellationToken)
    {
        if (changes.Count == 0)
        {
            throw new ArgumentException("The selector change is empty: name at least one label, e.g. version=v2.", nameof(changes));
        }

        var service = await GetAsync(name, cancellationToken);
        var previous = new Dictionary<string, string>(service.Spec?.Selector ?? new Dictionary<string, string>());
        var next = new Dictionary<string, string>(previous);
        foreach (var (key, value) in changes)
        {
            next[key] = value;
        }

        await ConfirmEndpointsAsync(name, next, cancellationToken);
        if (!next.OrderBy(p => p.Key).SequenceEqual(previous.OrderBy(p => p.Key)))
        {
            var patch = new JsonObject { ["spec"] = new JsonObject { ["selector"] = JsonNode.Parse(Selectors.Json(changes.ToDictionary())) } };
            await _scope.Api.CallAsync($"patch the selector of {Where(name)}", token => _scope.Client.CoreV1.PatchNamespacedServiceAsync(
                new V1Patch(patch.ToJsonString(), V1Patch.PatchType.StrategicMergePatch), name, _scope.Namespace, fieldManager: ClusterGateway.FieldManager, cancellationToken: token), cancellationToken);
        }

        return previous;
    }

    public string DescribeReplaceSelector(string name, IReadOnlyDictionary<string, string> selector) => CommandReplaceSelector(name, selector).ToString();

    public KubectlCommand CommandReplaceSelector(string name, IReadOnlyDictionary<string, string> selector) =>
        _scope.Kubectl.Namespaced("patch", $"svc/{name}", "--type=json", "-p", ReplacePatch(selector));

    /// <summary>Sets the selector to exactly <paramref name="selector"/> (JSON patch replace): the undo of a switch. Idempotent.</summary>
    public async Task ReplaceSelectorAsync(string name, IReadOnlyDictionary<string, string> selector, CancellationToken cancellationToken)
    {
        await _scope.Api.CallAsync($"restore the selector of {Where(name)}", token => _scope.Client.CoreV1.PatchNamespacedServiceAsync(
            new V1Patch(ReplacePatch(selector), V1Patch.PatchType.JsonPatch), name, _scope.Namespace, fieldManager: ClusterGateway.FieldManager, cancellationToken: token), cancellationToken);
    }

    private static string ReplacePatch(IReadOnlyDictionary<string, string> selector) =>
        $"[{{\"op\":\"replace\",\"path\":\"/spec/selector\",\"value\":{Selectors.Json(selector.ToDictionary())}}}]";

    private async Task ConfirmEndpointsAsync(string name, IDictionary<string, string> selector, CancellationToken cancellationToken)
    {
        var query = Selectors.ToQuery(selector);
        var pods = (await _scope.Api.CallAsync($"list pods -l {query} in namespace {_scope.Namespace}",
            token => _scope.Client.CoreV1.ListNamespacedPodAsync(_scope.Namespace, labelSelector: query, cancellationToken: token), cancellationToken))
            .Items.Where(pod => pod.Metadata.DeletionTimestamp is null && pod.Status?.Phase is not ("Succeeded" or "Failed")).ToList();
        if (pods.Count == 0)
        {
            throw new ClusterException($"Refusing to switch {Where(name)} to selector {query}: no pod matches it, so the service would have no endpoints. Deploy and wait for those pods first.");
        }

        var notReady = pods.Where(pod => !RolloutRules.IsReady(pod) || string.IsNullOrEmpty(pod.Status?.PodIP)).ToList();
        if (notReady.Count > 0)
        {
            throw new ClusterException(
                $"Refusing to switch {Where(name)} to selector {query}: {notReady.Count} of {pods.Count} matching pods are not Ready endpoints ({string.Join("; ", notReady.Select(pod => $"{pod.Metadata.Name}: {RolloutRules.NotReadyReason(pod) ?? "no pod IP"}"))}). Wait for them (kubectl wait --for=condition=ready pod -l {query}).");
        }
    }
}
