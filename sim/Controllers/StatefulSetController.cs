using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Api;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Controllers;

/// <summary>
/// The StatefulSet controller (pkg/controller/statefulset) for the OrderedReady and Parallel policies: pods
/// name-0 … name-(n-1) with stable hostnames, created in order (each once its predecessors are Running and Ready
/// under OrderedReady), removed from the highest ordinal down; a PVC per volumeClaimTemplate and ordinal
/// (kept when the set shrinks or goes, as the default Retain policy says); RollingUpdate replacing pods from the
/// highest ordinal down to the partition, one at a time; OnDelete leaving them be; ControllerRevisions for
/// rollout history/undo; and the status kubectl rollout status reads (currentRevision/updateRevision …).
/// </summary>
internal sealed class StatefulSetController(Registry registry, EventRecorder events)
{
    const string RevisionLabel = "controller-revision-hash";

    ObjectStore Store => registry.Store;

    public void Sync(DateTime now)
    {
        var pods = Store.List(ResourceCatalog.Pods, null).Items;
        foreach (var sts in Store.List(ResourceCatalog.StatefulSets, null).Items)
        {
            try { SyncOne(sts, pods); }
            catch (ApiException) { /* raced with a writer: next pass */ }
        }
    }

    void SyncOne(JsonObject sts, List<JsonObject> allPods)
    {
        if (Owners.IsTerminating(sts)) return;
        var ns = Owners.Namespace(sts);
        var name = Owners.Name(sts);
        var owned = allPods.Where(p => Owners.IsControlledBy(p, sts)).ToList();
        var revisionOf = (JsonObject p) => LabelSelector.Labels(p).GetValueOrDefault(RevisionLabel) ?? "";
        var (updateRevision, _) = ControllerHistory.Current(registry, sts, owned.Select(revisionOf).ToHashSet());
        var currentRevision = Json.Str(sts, "status", "currentRevision") ?? updateRevision;
        var replicas = Json.Int(sts, 1, "spec", "replicas");
        var ordered = Json.Str(sts, "spec", "podManagementPolicy") != "Parallel";
        var byOrdinal = owned.Where(p => Ordinal(name, p) >= 0).ToDictionary(p => Ordinal(name, p));
        bool Healthy(JsonObject p) => !Owners.IsTerminating(p) && Json.Str(p, "status", "phase") == "Running" && Conditions.IsTrue(p, "Ready");

        // Create the missing ordinals (and their claims), in order.
        for (var i = 0; i < replicas; i++)
        {
            if (byOrdinal.TryGetValue(i, out var existing))
            {
                if (ordered && !Healthy(existing)) break;
                continue;
            }
            CreateClaims(sts, i);
            // Below the partition, a recreated pod keeps the current (older) revision.
            var pod = CreatePod(sts, i, i < Partition(sts) && currentRevision != updateRevision ? currentRevision : updateRevision);
            events.Normal(sts, "statefulset-controller", "SuccessfulCreate", $"create Pod {Owners.Name(pod)} in StatefulSet {name} successful");
            if (ordered) break;
        }

        var allHealthy = Enumerable.Range(0, replicas).All(i => byOrdinal.TryGetValue(i, out var p) && Healthy(p));
        // Scale down: the highest ordinal first, one at a time once the rest are healthy.
        var surplus = byOrdinal.Where(kv => kv.Key >= replicas && !Owners.IsTerminating(kv.Value)).OrderByDescending(kv => kv.Key).ToList();
        if (surplus.Count > 0 && (!ordered || allHealthy))
        {
            registry.Delete(ResourceCatalog.Pods, ns, Owners.Name(surplus[0].Value), null);
            events.Normal(sts, "statefulset-controller", "SuccessfulDelete", $"delete Pod {Owners.Name(surplus[0].Value)} in StatefulSet {name} successful");
        }
        // RollingUpdate: replace the highest outdated ordinal at or above the partition when all are healthy.
        else if (Json.Str(sts, "spec", "updateStrategy", "type") != "OnDelete" && allHealthy)
        {
            var outdated = byOrdinal.Where(kv => kv.Key < replicas && kv.Key >= Partition(sts) && revisionOf(kv.Value) != updateRevision)
                .OrderByDescending(kv => kv.Key).Select(kv => kv.Value).FirstOrDefault();
            if (outdated is not null)
            {
                registry.Delete(ResourceCatalog.Pods, ns, Owners.Name(outdated), null);
                events.Normal(sts, "statefulset-controller", "SuccessfulDelete", $"delete Pod {Owners.Name(outdated)} in StatefulSet {name} successful");
            }
        }

        var live = owned.Where(p => !Owners.IsTerminating(p)).ToList();
        var ready = live.Count(p => Conditions.IsTrue(p, "Ready"));
        var updated = live.Count(p => revisionOf(p) == updateRevision);
        var current = live.Count(p => revisionOf(p) == currentRevision);
        // The rollout is over when every wanted pod runs the update revision: it becomes the current one.
        if (updated == replicas && live.Count == replicas && ready == replicas) currentRevision = updateRevision;
        var generation = Json.Long(sts, "metadata", "generation") ?? 0;
        Store.Mutate(ResourceCatalog.StatefulSets, ns, name, obj =>
        {
            var status = new JsonObject
            {
                ["observedGeneration"] = generation,
                ["replicas"] = live.Count,
                ["readyReplicas"] = ready,
                ["currentReplicas"] = currentRevision == updateRevision ? updated : current,
                ["updatedReplicas"] = updated,
                ["availableReplicas"] = ready,
                ["currentRevision"] = currentRevision,
                ["updateRevision"] = updateRevision,
                ["collisionCount"] = 0,
            };
            if (JsonNode.DeepEquals(obj["status"], status)) return obj;
            obj["status"] = status;
            return obj;
        });
    }

    static int Partition(JsonObject sts) => Json.Int(sts, 0, "spec", "updateStrategy", "rollingUpdate", "partition");

    static int Ordinal(string setName, JsonObject pod)
    {
        var podName = Owners.Name(pod);
        return podName.StartsWith(setName + "-") && int.TryParse(podName[(setName.Length + 1)..], out var i) ? i : -1;
    }

    void CreateClaims(JsonObject sts, int ordinal)
    {
        foreach (var template in (Json.Walk(sts, "spec", "volumeClaimTemplates") as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var claim = $"{Json.Str(template, "metadata", "name")}-{Owners.Name(sts)}-{ordinal}";
            if (Store.Get(ResourceCatalog.PersistentVolumeClaims, Owners.Namespace(sts), claim) is not null) continue;
            var labels = (Json.Walk(sts, "spec", "selector", "matchLabels") as JsonObject)?.DeepClone() as JsonObject ?? new JsonObject();
            registry.Create(ResourceCatalog.PersistentVolumeClaims, Owners.Namespace(sts), new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "PersistentVolumeClaim",
                ["metadata"] = new JsonObject { ["name"] = claim, ["labels"] = labels },
                ["spec"] = template["spec"]?.DeepClone(),
            });
        }
    }

    JsonObject CreatePod(JsonObject sts, int ordinal, string revision)
    {
        var setName = Owners.Name(sts);
        var podName = $"{setName}-{ordinal}";
        // An older revision's template for ordinals below the partition; the current one otherwise.
        var template = revision != $"{setName}-{DeploymentMath.PodTemplateHash(Json.Walk(sts, "spec", "template"), 0)}"
            && Store.Get(ResourceCatalog.ControllerRevisions, Owners.Namespace(sts), revision) is { } old
            ? Json.Walk(old, "data", "spec", "template") as JsonObject
            : Json.Walk(sts, "spec", "template") as JsonObject;
        template = (JsonObject)(template ?? new JsonObject()).DeepClone();
        template.Remove("$patch");
        var meta = template["metadata"] as JsonObject ?? new JsonObject();
        var spec = template["spec"] as JsonObject ?? new JsonObject();
        template.Remove("metadata");   // both move into the pod: a node has one parent
        template.Remove("spec");
        meta.Remove("creationTimestamp");
        meta["name"] = podName;
        meta["namespace"] = Owners.Namespace(sts);
        var labels = Json.Obj(meta, "labels");
        labels[RevisionLabel] = revision;
        labels["statefulset.kubernetes.io/pod-name"] = podName;
        labels["apps.kubernetes.io/pod-index"] = ordinal.ToString();
        meta["ownerReferences"] = Owners.ControllerReference(sts);
        spec["hostname"] = podName;
        if (Json.Str(sts, "spec", "serviceName") is { Length: > 0 } service) spec["subdomain"] = service;
        var volumes = Json.Arr(spec, "volumes");
        foreach (var claim in (Json.Walk(sts, "spec", "volumeClaimTemplates") as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var volumeName = Json.Str(claim, "metadata", "name") ?? "data";
            if (volumes.OfType<JsonObject>().Any(v => Json.Str(v, "name") == volumeName)) continue;
            volumes.Add(new JsonObject { ["name"] = volumeName, ["persistentVolumeClaim"] = new JsonObject { ["claimName"] = $"{volumeName}-{setName}-{ordinal}" } });
        }
        if (volumes.Count == 0) spec.Remove("volumes");
        return registry.Create(ResourceCatalog.Pods, Owners.Namespace(sts), new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = meta,
            ["spec"] = spec,
        });
    }
}
