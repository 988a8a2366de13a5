using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Api;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Controllers;

/// <summary>
/// The ReplicaSet controller: keeps spec.replicas pods alive from the template, deletes the least valuable surplus
/// pods first (unscheduled, pending, not ready, youngest), and reports replicas/ready/available.
/// </summary>
internal sealed class ReplicaSetController(Registry registry, EventRecorder events)
{
    ObjectStore Store => registry.Store;

    public void Sync(DateTime now)
    {
        var pods = Store.List(ResourceCatalog.Pods, null).Items;
        foreach (var rs in Store.List(ResourceCatalog.ReplicaSets, null).Items)
        {
            try { SyncOne(rs, pods, now); }
            catch (ApiException) { /* raced with a writer: next pass */ }
        }
    }

    void SyncOne(JsonObject rs, List<JsonObject> allPods, DateTime now)
    {
        var owned = allPods.Where(p => Owners.IsControlledBy(p, rs) && !Owners.IsTerminating(p)
            && Json.Str(p, "status", "phase") is not ("Succeeded" or "Failed")).ToList();
        var desired = Json.Int(rs, 1, "spec", "replicas");
        if (!Owners.IsTerminating(rs))
        {
            var diff = desired - owned.Count;
            for (var i = 0; i < diff; i++)
                events.Normal(rs, "replicaset-controller", "SuccessfulCreate", $"Created pod: {Owners.Name(CreatePod(rs))}");
            if (diff < 0)
                foreach (var pod in owned.OrderBy(DeletionRank).ThenByDescending(Owners.Created).Take(-diff))
                {
                    registry.Delete(ResourceCatalog.Pods, Owners.Namespace(pod), Owners.Name(pod), null);
                    events.Normal(rs, "replicaset-controller", "SuccessfulDelete", $"Deleted pod: {Owners.Name(pod)}");
                }
        }

        var minReady = Json.Int(rs, 0, "spec", "minReadySeconds");
        var ready = owned.Count(p => Conditions.IsTrue(p, "Ready"));
        var available = owned.Count(p => IsAvailable(p, minReady, now));
        var labels = LabelSelector.StringMap(Json.Walk(rs, "spec", "template", "metadata", "labels"));
        var fullyLabeled = owned.Count(p => labels.All(l => LabelSelector.Labels(p).GetValueOrDefault(l.Key) == l.Value));
        var generation = Json.Long(rs, "metadata", "generation") ?? 0;
        Store.Mutate(ResourceCatalog.ReplicaSets, Owners.Namespace(rs), Owners.Name(rs), current =>
        {
            var status = new JsonObject { ["replicas"] = owned.Count };
            if (fullyLabeled > 0) status["fullyLabeledReplicas"] = fullyLabeled;
            if (ready > 0) status["readyReplicas"] = ready;
            if (available > 0) status["availableReplicas"] = available;
            status["observedGeneration"] = generation;
            current["status"] = status;
            return current;
        });
    }

    /// <summary>Pods ready for at least minReadySeconds (podutil.IsPodAvailable).</summary>
    public static bool IsAvailable(JsonObject pod, int minReadySeconds, DateTime now)
    {
        if (!Conditions.IsTrue(pod, "Ready")) return false;
        if (minReadySeconds == 0) return true;
        var since = Json.ParseTime(Json.Str(Conditions.Get((JsonObject)pod["status"]!, "Ready"), "lastTransitionTime"));
        return since is not null && now - since.Value >= TimeSpan.FromSeconds(minReadySeconds);
    }

    static int DeletionRank(JsonObject pod) =>
        string.IsNullOrEmpty(Json.Str(pod, "spec", "nodeName")) ? 0
        : Json.Str(pod, "status", "phase") == "Pending" ? 1
        : !Conditions.IsTrue(pod, "Ready") ? 2
        : 3;

    JsonObject CreatePod(JsonObject rs)
    {
        var template = Json.Walk(rs, "spec", "template") as JsonObject ?? new JsonObject();
        var meta = (Json.Walk(template, "metadata") as JsonObject)?.DeepClone() as JsonObject ?? new JsonObject();
        meta.Remove("name");
        meta.Remove("creationTimestamp");
        meta["generateName"] = Owners.Name(rs) + "-";
        meta["namespace"] = Owners.Namespace(rs);
        meta["ownerReferences"] = Owners.ControllerReference(rs);
        var pod = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = meta,
            ["spec"] = template["spec"]?.DeepClone(),
        };
        return registry.Create(ResourceCatalog.Pods, Owners.Namespace(rs), pod);
    }
}
