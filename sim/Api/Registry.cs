using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Patching;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Api;

/// <summary>
/// The apiserver's write semantics on top of the store: defaulting, validation, namespace lifecycle,
/// optimistic concurrency, status/spec separation, generation, patches, and graceful deletion.
/// </summary>
internal sealed class Registry(ObjectStore store)
{
    static readonly HashSet<string> KindsWithStatus = ["Namespace", "Node", "Pod", "Service", "PersistentVolumeClaim", "Deployment", "ReplicaSet", "DaemonSet", "PodDisruptionBudget", "Ingress", "HorizontalPodAutoscaler", "Job", "CronJob", "StatefulSet", "CustomResourceDefinition"];
    static readonly HashSet<string> KindsWithGeneration = ["Deployment", "ReplicaSet", "DaemonSet", "PodDisruptionBudget", "Job", "CronJob", "StatefulSet", "CustomResourceDefinition"];

    public ObjectStore Store => store;

    public JsonObject Create(ResourceType type, string? ns, JsonObject body, bool dryRun = false, string? manager = null)
    {
        var obj = Json.Clone(body);
        var meta = Json.Obj(obj, "metadata");
        if (type.Namespaced)
        {
            var bodyNs = Json.Str(meta, "namespace");
            if (!string.IsNullOrEmpty(bodyNs) && ns is not null && bodyNs != ns)
                throw ApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            meta["namespace"] = ns ?? bodyNs ?? "default";
            RequireActiveNamespace(Json.Str(meta, "namespace")!);
        }
        else meta.Remove("namespace");
        if (Json.Str(obj, "kind") is { } kind && kind != type.Kind)
            throw ApiException.BadRequest($"the kind \"{kind}\" of the body does not match the URL ({type.Kind})");
        PrepareForCreate(type, obj);
        if (type.Kind == "Service") AllocateClusterIp(obj);
        if (string.IsNullOrEmpty(Json.Str(meta, "name")) && string.IsNullOrEmpty(Json.Str(meta, "generateName")))
            throw ApiException.Invalid(type, "", ("metadata.name", "name or generateName is required"));
        // A Job's generated selector names its own uid (pkg/registry/batch/job/strategy.go generateSelector).
        var uid = type.Kind == "Job" ? Guid.NewGuid().ToString() : null;
        if (uid is not null) Defaults.JobSelector(obj, uid);
        Validation.Check(type, obj, null);
        if (manager is not null) ServerSideApply.RecordUpdate(obj, null, manager, type.ApiVersion);
        return store.Create(type, obj, dryRun, uid);
    }

    static void PrepareForCreate(ResourceType type, JsonObject obj)
    {
        var meta = Json.Obj(obj, "metadata");
        meta.Remove("deletionTimestamp");
        meta.Remove("deletionGracePeriodSeconds");
        // The strategies reset status on create; it is then served as {} (a typed client sees an empty status, not none).
        if (KindsWithStatus.Contains(type.Kind) && type.Kind != "Node") obj["status"] = new JsonObject();
        // Status fields Go serializes even at zero (no omitempty): typed clients (Python) require them.
        if (type.Kind == "StatefulSet") obj["status"] = new JsonObject { ["replicas"] = 0, ["availableReplicas"] = 0 };
        if (type.Kind == "DaemonSet")
            obj["status"] = new JsonObject { ["currentNumberScheduled"] = 0, ["numberMisscheduled"] = 0, ["desiredNumberScheduled"] = 0, ["numberReady"] = 0 };
        if (KindsWithGeneration.Contains(type.Kind)) meta["generation"] = 1;
        Defaults.Apply(type, obj);
        switch (type.Kind)
        {
            case "Pod":
                obj["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = "BestEffort" };
                break;
            case "Namespace":
                obj["status"] = new JsonObject { ["phase"] = "Active" };
                break;
            case "PersistentVolumeClaim":
                obj["status"] = new JsonObject { ["phase"] = "Pending" };
                break;
        }
    }

    int nextServiceIp;
    int nextNodePort = 79;

    void AllocateClusterIp(JsonObject service)
    {
        var spec = Json.Obj(service, "spec");
        // NodePort and LoadBalancer services get a node port per port from 30000-32767 (the default range).
        if (Json.Str(spec, "type") is "NodePort" or "LoadBalancer")
            foreach (var port in (spec["ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
                port["nodePort"] ??= 30000 + Interlocked.Increment(ref nextNodePort) % 2768;
        if (Json.Str(spec, "clusterIP") is { Length: > 0 }) return;
        var n = Interlocked.Increment(ref nextServiceIp);
        var ip = $"10.96.{n / 250}.{n % 250 + 1}";
        spec["clusterIP"] = ip;
        spec["clusterIPs"] = new JsonArray(ip);
    }

    void RequireActiveNamespace(string ns)
    {
        var namespaceObject = store.Get(ResourceCatalog.Namespaces, null, ns) ?? throw ApiException.NotFound(ResourceCatalog.Namespaces, ns);
        if (Json.Str(namespaceObject, "status", "phase") == "Terminating")
            throw new ApiException(403, "Forbidden", $"unable to create new content in namespace {ns} because it is being terminated");
    }

    /// <summary>PUT on the object or on its /status subresource.</summary>
    public JsonObject Update(ResourceType type, string? ns, string name, string? subresource, JsonObject body, bool dryRun = false, string? manager = null)
    {
        var result = store.Mutate(type, ns, name, current =>
        {
            var expected = Json.Str(body, "metadata", "resourceVersion");
            if (!string.IsNullOrEmpty(expected) && expected != Json.Str(current, "metadata", "resourceVersion"))
                throw ApiException.Conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");
            return RecordManager(PrepareForUpdate(type, Json.Clone(body), current, subresource), current, subresource, manager, type);
        }, dryRun);
        FinishDeletionIfUnblocked(type, result);
        return result;
    }

    /// <summary>
    /// PATCH. An apply patch on a missing object creates it; every other patch on a missing object is 404.
    /// The patch is computed and stored in one critical section, so concurrent patches never lose an update.
    /// </summary>
    public (JsonObject Object, bool Created) Patch(ResourceType type, string? ns, string name, string? subresource, string contentType, string body, string? fieldManager, bool dryRun = false, bool force = false)
    {
        if (contentType == "application/apply-patch+yaml")
        {
            if (string.IsNullOrEmpty(fieldManager))
                throw ApiException.BadRequest("PATCH, application/apply-patch+yaml requires fieldManager to be set");
            if (store.Get(type, ns, name) is null && subresource is null)
            {
                var applied = ParseApplyBody(body);
                var created = ServerSideApply.Create(applied, fieldManager, type.ApiVersion);
                Json.Obj(created, "metadata")["name"] = name;
                try { return (Create(type, ns, created, dryRun), true); }
                catch (ApiException e) when (e.Reason == "AlreadyExists") { /* lost a race with another creator: apply onto it */ }
            }
        }

        var result = store.Mutate(type, ns, name, current =>
        {
            var patched = contentType switch
            {
                "application/merge-patch+json" => (JsonMergePatch.Apply(current, Json.ParseObject(body)) as JsonObject)!,
                "application/strategic-merge-patch+json" => StrategicMergePatch.Apply(current, Json.ParseObject(body)),
                "application/json-patch+json" => JsonPatch.Apply(current, ParseArray(body)) as JsonObject
                    ?? throw ApiException.BadRequest("a json patch must leave an object"),
                "application/apply-patch+yaml" => ServerSideApply.Apply(type, current, ParseApplyBody(body), fieldManager!, force),
                _ => throw ApiException.UnsupportedMediaType(contentType),
            };
            var expected = Json.Str(patched, "metadata", "resourceVersion");
            if (!string.IsNullOrEmpty(expected) && expected != Json.Str(current, "metadata", "resourceVersion"))
                throw ApiException.Conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");
            var prepared = PrepareForUpdate(type, patched, current, subresource);
            return contentType == "application/apply-patch+yaml" ? prepared : RecordManager(prepared, current, subresource, fieldManager, type);
        }, dryRun);
        FinishDeletionIfUnblocked(type, result);
        return (result, false);
    }

    /// <summary>PUT or PATCH on /scale: computed against the current object inside the same critical section.</summary>
    public JsonObject Scale(ResourceType type, string? ns, string name, string method, string contentType, string body, bool dryRun = false) =>
        store.Mutate(type, ns, name, current =>
        {
            var replicas = ScaleSubresource.DesiredReplicas(current, method, contentType, body);
            var next = Json.Clone(current);
            Json.Obj(next, "spec")["replicas"] = replicas;
            return PrepareForUpdate(type, next, current, null);
        }, dryRun);

    static JsonObject RecordManager(JsonObject next, JsonObject current, string? subresource, string? manager, ResourceType type)
    {
        if (manager is not null && subresource is null) ServerSideApply.RecordUpdate(next, current, manager, type.ApiVersion);
        return next;
    }

    static JsonObject ParseApplyBody(string body)
    {
        // JSON is YAML too; kubectl and KubernetesClient send JSON, the Python client YAML.
        return body.TrimStart().StartsWith('{') ? Json.ParseObject(body) : YamlBody.ParseObject(body);
    }

    static JsonArray ParseArray(string body)
    {
        try { return JsonNode.Parse(body) as JsonArray ?? throw ApiException.BadRequest("a json patch must be an array"); }
        catch (System.Text.Json.JsonException e) { throw ApiException.BadRequest($"invalid json patch: {e.Message}"); }
    }

    /// <summary>What the real strategies' PrepareForUpdate do: each endpoint only writes its half of the object.</summary>
    JsonObject PrepareForUpdate(ResourceType type, JsonObject next, JsonObject current, string? subresource)
    {
        next["apiVersion"] = type.ApiVersion;
        next["kind"] = type.Kind;
        var meta = Json.Obj(next, "metadata");
        var currentMeta = (JsonObject)current["metadata"]!;
        if (currentMeta["deletionTimestamp"] is { } deletion) meta["deletionTimestamp"] = deletion.DeepClone();
        else meta.Remove("deletionTimestamp");
        if (currentMeta["generation"] is { } generation) meta["generation"] = generation.DeepClone();
        if (meta["managedFields"] is null && currentMeta["managedFields"] is { } managed) meta["managedFields"] = managed.DeepClone();

        if (subresource == "status")
        {
            // Status writes keep spec and labels; annotations are writable (the deployment controller sets revision there).
            var status = next["status"]?.DeepClone();
            var annotations = meta["annotations"]?.DeepClone();
            next = Json.Clone(current);
            next["status"] = status;
            if (annotations is not null) Json.Obj(next, "metadata")["annotations"] = annotations;
            return next;
        }

        if (KindsWithStatus.Contains(type.Kind)) next["status"] = current["status"]?.DeepClone();
        if (type.Kind == "Namespace") next["spec"] = current["spec"]?.DeepClone();
        Defaults.Apply(type, next);
        if (type.Kind == "Service") KeepClusterIp(next, current);
        Validation.Check(type, next, current);
        if (KindsWithGeneration.Contains(type.Kind))
        {
            var specChanged = !JsonNode.DeepEquals(next["spec"], current["spec"]);
            var annotationsChanged = type.Kind == "Deployment" &&
                !JsonNode.DeepEquals(Json.Walk(next, "metadata", "annotations"), Json.Walk(current, "metadata", "annotations"));
            if (specChanged || annotationsChanged)
                meta["generation"] = (Json.Long(current, "metadata", "generation") ?? 0) + 1;
        }
        return next;
    }

    static void KeepClusterIp(JsonObject next, JsonObject current)
    {
        var spec = Json.Obj(next, "spec");
        foreach (var field in new[] { "clusterIP", "clusterIPs" })
            if (spec[field] is null && Json.Walk(current, "spec", field) is { } ip) spec[field] = ip.DeepClone();
    }

    /// <summary>
    /// DELETE. Pods on a node and objects with finalizers get a deletionTimestamp and go away later (the kubelet,
    /// the finalizer's owner); everything else is removed now. Dependents are left to the garbage collector,
    /// or orphaned with propagationPolicy=Orphan.
    /// </summary>
    public JsonObject Delete(ResourceType type, string? ns, string name, JsonObject? options, bool dryRun = false)
    {
        var current = store.Get(type, ns, name) ?? throw ApiException.NotFound(type, name);
        var preconditions = options?["preconditions"];
        if (Json.Str(preconditions, "uid") is { } uid && uid != Json.Str(current, "metadata", "uid"))
            throw ApiException.Conflict(type, name, $"Precondition failed: UID in precondition: {uid}, UID in object meta: {Json.Str(current, "metadata", "uid")}");
        if (Json.Str(preconditions, "resourceVersion") is { } rv && rv != Json.Str(current, "metadata", "resourceVersion"))
            throw ApiException.Conflict(type, name, "the object has been modified; please apply your changes to the latest version and try again");
        if (dryRun) return current;

        var policy = Json.Str(options, "propagationPolicy") ?? (Json.Bool(options, "orphanDependents") ? "Orphan" : "Background");
        if (policy == "Orphan") Orphan(Json.Str(current, "metadata", "uid")!);

        var grace = Json.Long(options, "gracePeriodSeconds") ?? Json.Long(current, "spec", "terminationGracePeriodSeconds") ?? 30;
        // Foreground: the owner stays (deletionTimestamp + the foregroundDeletion finalizer) until the garbage
        // collector has deleted its dependents.
        var foreground = policy == "Foreground" && type.Kind is not ("Pod" or "Namespace") && HasDependents(Json.Str(current, "metadata", "uid")!);
        var graceful = foreground || type.Kind switch
        {
            "Pod" => grace > 0 && !string.IsNullOrEmpty(Json.Str(current, "spec", "nodeName")),
            "Namespace" => true,
            _ => (Json.Walk(current, "metadata", "finalizers") as JsonArray)?.Count > 0,
        };
        if (!graceful)
        {
            var removed = store.Remove(type, ns, name) ?? throw ApiException.NotFound(type, name);
            return type.Kind == "Pod" ? removed : SuccessStatus(type, removed);
        }
        return store.Mutate(type, ns, name, obj =>
        {
            var meta = Json.Obj(obj, "metadata");
            meta["deletionTimestamp"] ??= Json.Timestamp(DateTime.UtcNow);
            if (type.Kind == "Pod") meta["deletionGracePeriodSeconds"] ??= grace;
            if (type.Kind == "Namespace") Json.Obj(obj, "status")["phase"] = "Terminating";
            var finalizers = Json.Arr(meta, "finalizers");
            if (foreground && !finalizers.Any(f => f?.ToString() == ForegroundFinalizer)) finalizers.Add(ForegroundFinalizer);
            if (finalizers.Count == 0) meta.Remove("finalizers");
            return obj;
        });
    }

    public const string ForegroundFinalizer = "foregroundDeletion";

    bool HasDependents(string ownerUid) =>
        ResourceCatalog.All.Any(t => store.List(t, null).Items.Any(o =>
            (Json.Walk(o, "metadata", "ownerReferences") as JsonArray)?.Any(r => Json.Str(r, "uid") == ownerUid) == true));

    /// <summary>Removes a finalizer (the garbage collector's foregroundDeletion); a deleted object with none left goes.</summary>
    public void RemoveFinalizer(ResourceType type, string? ns, string name, string finalizer)
    {
        var result = store.Mutate(type, ns, name, obj =>
        {
            if (Json.Walk(obj, "metadata", "finalizers") is JsonArray list)
            {
                foreach (var f in list.Where(f => f?.ToString() == finalizer).ToArray()) list.Remove(f);
                if (list.Count == 0) Json.Obj(obj, "metadata").Remove("finalizers");
            }
            return obj;
        });
        FinishDeletionIfUnblocked(type, result);
    }

    static JsonObject SuccessStatus(ResourceType type, JsonObject removed) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Success",
        ["details"] = new JsonObject
        {
            ["name"] = Json.Str(removed, "metadata", "name"),
            ["group"] = type.Group,
            ["kind"] = type.Plural,
            ["uid"] = Json.Str(removed, "metadata", "uid"),
        },
    };

    /// <summary>An object whose deletion waited on finalizers goes once the last finalizer is removed.</summary>
    void FinishDeletionIfUnblocked(ResourceType type, JsonObject obj)
    {
        if (type.Kind is "Pod" or "Namespace") return;
        if (Json.Walk(obj, "metadata", "deletionTimestamp") is null) return;
        if ((Json.Walk(obj, "metadata", "finalizers") as JsonArray)?.Count > 0) return;
        store.Remove(type, Json.Str(obj, "metadata", "namespace"), Json.Str(obj, "metadata", "name")!, Json.Str(obj, "metadata", "uid"));
    }

    void Orphan(string ownerUid)
    {
        foreach (var type in ResourceCatalog.All)
            foreach (var dependent in store.List(type, null).Items)
            {
                if (Json.Walk(dependent, "metadata", "ownerReferences") is not JsonArray refs) continue;
                if (!refs.Any(r => Json.Str(r, "uid") == ownerUid)) continue;
                try
                {
                    store.Mutate(type, Json.Str(dependent, "metadata", "namespace"), Json.Str(dependent, "metadata", "name")!, obj =>
                    {
                        var remaining = ((JsonArray)obj["metadata"]!["ownerReferences"]!).Where(r => Json.Str(r, "uid") != ownerUid).Select(r => r!.DeepClone()).ToArray();
                        if (remaining.Length == 0) Json.Obj(obj, "metadata").Remove("ownerReferences");
                        else obj["metadata"]!["ownerReferences"] = new JsonArray(remaining);
                        return obj;
                    });
                }
                catch (ApiException) { /* deleted meanwhile */ }
            }
    }
}
