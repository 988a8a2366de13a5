using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Api;

/// <summary>
/// pods/eviction (kubernetes pkg/registry/core/pod/storage/eviction.go): a graceful delete that a
/// PodDisruptionBudget can refuse with 429. The budget's disruptionsAllowed is decremented in the same critical
/// section that checks it, so two concurrent evictions cannot both spend the last allowed disruption.
/// </summary>
internal sealed class Eviction(Registry registry)
{
    public JsonObject Evict(string ns, string podName, JsonObject body, bool dryRun)
    {
        var store = registry.Store;
        var pod = store.Get(ResourceCatalog.Pods, ns, podName) ?? throw ApiException.NotFound(ResourceCatalog.Pods, podName);
        var options = body["deleteOptions"] as JsonObject ?? new JsonObject();
        dryRun |= (options["dryRun"] as JsonArray)?.Any(d => d?.ToString() == "All") ?? false;

        var phase = Json.Str(pod, "status", "phase");
        var budgetApplies = Json.Walk(pod, "metadata", "deletionTimestamp") is null && phase is "Running";
        if (budgetApplies)
        {
            var labels = LabelSelector.Labels(pod);
            var budgets = store.List(ResourceCatalog.PodDisruptionBudgets, ns).Items
                .Where(b => LabelSelector.FromObject(Json.Walk(b, "spec", "selector")).Matches(labels))
                .ToList();
            if (budgets.Count > 1)
                throw ApiException.Internal("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.");
            if (budgets.Count == 1) SpendDisruption(budgets[0], podName, dryRun);
        }

        registry.Delete(ResourceCatalog.Pods, ns, podName, options, dryRun);
        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
        };
    }

    void SpendDisruption(JsonObject budget, string podName, bool dryRun)
    {
        var name = Json.Str(budget, "metadata", "name")!;
        registry.Store.Mutate(ResourceCatalog.PodDisruptionBudgets, Json.Str(budget, "metadata", "namespace"), name, pdb =>
        {
            if ((Json.Long(pdb, "status", "observedGeneration") ?? 0) < (Json.Long(pdb, "metadata", "generation") ?? 0))
                throw ApiException.TooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", Cause(
                    $"The disruption budget {name} is still being processed by the server."));
            var allowed = Json.Long(pdb, "status", "disruptionsAllowed") ?? 0;
            if (allowed <= 0)
                throw ApiException.TooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", Cause(
                    $"The disruption budget {name} needs {Json.Long(pdb, "status", "desiredHealthy") ?? 0} healthy pods and has {Json.Long(pdb, "status", "currentHealthy") ?? 0} currently"));
            var status = Json.Obj(pdb, "status");
            status["disruptionsAllowed"] = allowed - 1;
            Json.Obj(status, "disruptedPods")[podName] = Json.Timestamp(DateTime.UtcNow);
            return pdb;
        }, dryRun);
    }

    static JsonObject Cause(string message) => new()
    {
        ["causes"] = new JsonArray(new JsonObject { ["reason"] = "DisruptionBudget", ["message"] = message }),
    };
}
