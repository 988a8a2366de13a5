using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Api;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Controllers;

/// <summary>
/// A small DaemonSet controller: one pod per Ready node whose taints the template tolerates (cordoned nodes
/// included, as upstream), replaced one node at a time when the template changes. It exists mainly so that
/// drain --ignore-daemonsets has real DaemonSet pods to skip. Its ControllerRevisions make rollout history/undo work.
/// </summary>
internal sealed class DaemonSetController(Registry registry)
{
    const string RevisionLabel = "controller-revision-hash";

    ObjectStore Store => registry.Store;

    public void Sync(DateTime now)
    {
        var nodes = Store.List(ResourceCatalog.Nodes, null).Items.Where(NodeStatus.IsReady).ToList();
        var pods = Store.List(ResourceCatalog.Pods, null).Items;
        foreach (var ds in Store.List(ResourceCatalog.DaemonSets, null).Items)
        {
            try { SyncOne(ds, nodes, pods, now); }
            catch (ApiException) { }
        }
    }

    void SyncOne(JsonObject ds, List<JsonObject> readyNodes, List<JsonObject> allPods, DateTime now)
    {
        var owned = allPods.Where(p => Owners.IsControlledBy(p, ds) && !Owners.IsTerminating(p)).ToList();
        var hash = Owners.IsTerminating(ds)
            ? DeploymentMath.PodTemplateHash(Json.Walk(ds, "spec", "template"), 0)
            : ControllerHistory.Current(registry, ds, owned.Select(p => LabelSelector.Labels(p).GetValueOrDefault(RevisionLabel) ?? "").ToHashSet()).Hash;
        var eligible = readyNodes.Where(n => Tolerated(ds, n)).ToList();
        if (!Owners.IsTerminating(ds))
        {
            foreach (var node in eligible)
                if (!owned.Any(p => Json.Str(p, "spec", "nodeName") == Owners.Name(node)))
                    CreatePod(ds, Owners.Name(node), hash);
            var stale = owned.Where(p => LabelSelector.Labels(p).GetValueOrDefault(RevisionLabel) != hash
                || !eligible.Any(n => Owners.Name(n) == Json.Str(p, "spec", "nodeName"))).ToList();
            if (stale.Count > 0 && owned.All(p => Conditions.IsTrue(p, "Ready")))
                registry.Delete(ResourceCatalog.Pods, Owners.Namespace(stale[0]), Owners.Name(stale[0]), null);
        }
        var ready = owned.Count(p => Conditions.IsTrue(p, "Ready"));
        var updated = owned.Count(p => LabelSelector.Labels(p).GetValueOrDefault(RevisionLabel) == hash);
        var generation = Json.Long(ds, "metadata", "generation") ?? 0;
        Store.Mutate(ResourceCatalog.DaemonSets, Owners.Namespace(ds), Owners.Name(ds), current =>
        {
            current["status"] = new JsonObject
            {
                ["currentNumberScheduled"] = owned.Count,
                ["desiredNumberScheduled"] = eligible.Count,
                ["numberMisscheduled"] = 0,
                ["numberReady"] = ready,
                ["numberAvailable"] = ready,
                ["numberUnavailable"] = Math.Max(0, eligible.Count - ready),
                ["updatedNumberScheduled"] = updated,
                ["observedGeneration"] = generation,
            };
            return current;
        });
    }

    static bool Tolerated(JsonObject ds, JsonObject node)
    {
        var tolerations = (Json.Walk(ds, "spec", "template", "spec", "tolerations") as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        return ((Json.Walk(node, "spec", "taints") as JsonArray)?.OfType<JsonObject>() ?? []).All(taint =>
            Json.Str(taint, "effect") is not ("NoSchedule" or "NoExecute")
            || tolerations.Any(t => Json.Str(t, "operator") == "Exists" && (Json.Str(t, "key") is null || Json.Str(t, "key") == Json.Str(taint, "key"))
                || Json.Str(t, "key") == Json.Str(taint, "key")));
    }

    void CreatePod(JsonObject ds, string nodeName, string hash)
    {
        var template = Json.Walk(ds, "spec", "template") as JsonObject ?? new JsonObject();
        var meta = template["metadata"]?.DeepClone() as JsonObject ?? new JsonObject();
        meta.Remove("creationTimestamp");
        meta["generateName"] = Owners.Name(ds) + "-";
        meta["namespace"] = Owners.Namespace(ds);
        Json.Obj(meta, "labels")[RevisionLabel] = hash;
        meta["ownerReferences"] = Owners.ControllerReference(ds);
        var spec = template["spec"]?.DeepClone() as JsonObject ?? new JsonObject();
        spec["nodeName"] = nodeName;
        registry.Create(ResourceCatalog.Pods, Owners.Namespace(ds), new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = meta,
            ["spec"] = spec,
        });
    }
}
