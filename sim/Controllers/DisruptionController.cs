using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Api;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Controllers;

/// <summary>
/// The disruption controller: computes each PodDisruptionBudget's status (expected, current and desired healthy
/// pods, disruptionsAllowed) from the pods it selects and the scale of their controllers.
/// Pods recently evicted (status.disruptedPods) do not count as healthy until they are gone.
/// </summary>
internal sealed class DisruptionController(Registry registry)
{
    static readonly TimeSpan DisruptedPodTimeout = TimeSpan.FromMinutes(2);

    ObjectStore Store => registry.Store;

    public void Sync(DateTime now)
    {
        var pods = Store.List(ResourceCatalog.Pods, null).Items;
        var replicaSets = Store.List(ResourceCatalog.ReplicaSets, null).Items;
        foreach (var pdb in Store.List(ResourceCatalog.PodDisruptionBudgets, null).Items)
        {
            try { SyncOne(pdb, pods, replicaSets, now); }
            catch (ApiException) { }
        }
    }

    void SyncOne(JsonObject pdb, List<JsonObject> allPods, List<JsonObject> replicaSets, DateTime now)
    {
        var ns = Owners.Namespace(pdb);
        var selector = LabelSelector.FromObject(Json.Walk(pdb, "spec", "selector"));
        var pods = allPods.Where(p => Owners.Namespace(p) == ns && selector.Matches(p)).ToList();
        var podNames = pods.Select(Owners.Name).ToHashSet();
        var disrupted = LabelSelector.StringMap(Json.Walk(pdb, "status", "disruptedPods"))
            .Where(kv => podNames.Contains(kv.Key) && Json.ParseTime(kv.Value) is { } t && now - t < DisruptedPodTimeout)
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        var healthy = pods.Count(p => !Owners.IsTerminating(p) && Conditions.IsTrue(p, "Ready") && !disrupted.ContainsKey(Owners.Name(p)));

        var minAvailable = Json.Walk(pdb, "spec", "minAvailable");
        var maxUnavailable = Json.Walk(pdb, "spec", "maxUnavailable");
        int expected, desired;
        if (minAvailable is not null && !minAvailable.ToString().EndsWith('%'))
        {
            expected = pods.Count(p => !Owners.IsTerminating(p));
            desired = int.TryParse(minAvailable.ToString(), out var m) ? m : 0;
        }
        else
        {
            expected = ExpectedFromControllers(pods, replicaSets);
            desired = maxUnavailable is not null
                ? Math.Max(0, expected - Percent(maxUnavailable, expected))
                : Percent(minAvailable, expected);
        }
        var allowed = Math.Max(0, healthy - desired);
        var generation = Json.Long(pdb, "metadata", "generation") ?? 0;
        Store.Mutate(ResourceCatalog.PodDisruptionBudgets, ns, Owners.Name(pdb), current =>
        {
            // An eviction may have spent a disruption since we read the budget: then this computation is stale
            // (as an update with a resourceVersion would fail upstream), and the next pass starts over.
            if (Json.Str(current, "metadata", "resourceVersion") != Json.Str(pdb, "metadata", "resourceVersion")) return current;
            var status = new JsonObject
            {
                ["observedGeneration"] = generation,
                ["disruptionsAllowed"] = allowed,
                ["currentHealthy"] = healthy,
                ["desiredHealthy"] = desired,
                ["expectedPods"] = expected,
            };
            if (disrupted.Count > 0) status["disruptedPods"] = new JsonObject(disrupted.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value)));
            status["conditions"] = (Json.Walk(current, "status", "conditions") as JsonArray)?.DeepClone() ?? new JsonArray();
            Conditions.Set(status, "DisruptionAllowed", allowed > 0 ? "True" : "False", allowed > 0 ? "SufficientPods" : "InsufficientPods", "", now: now);
            Conditions.Get(status, "DisruptionAllowed")!["observedGeneration"] = generation;
            current["status"] = status;
            return current;
        });
    }

    /// <summary>For percentages and maxUnavailable, the scale of the pods' controllers (ReplicaSets), as upstream.</summary>
    static int ExpectedFromControllers(List<JsonObject> pods, List<JsonObject> replicaSets)
    {
        var total = 0;
        foreach (var group in pods.Where(p => !Owners.IsTerminating(p)).GroupBy(p => Owners.ControllerUid(p) ?? Json.Str(p, "metadata", "uid")))
        {
            var rs = replicaSets.FirstOrDefault(r => Json.Str(r, "metadata", "uid") == group.Key);
            total += rs is null ? group.Count() : Json.Int(rs, 1, "spec", "replicas");
        }
        return total;
    }

    static int Percent(JsonNode? value, int total)
    {
        if (value is null) return 0;
        var text = value.ToString();
        return text.EndsWith('%') && int.TryParse(text[..^1], out var p)
            ? (int)Math.Ceiling(p * total / 100.0)
            : int.TryParse(text, out var n) ? n : 0;
    }
}
