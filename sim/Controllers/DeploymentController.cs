using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Api;
using TwisterLab.KubeSim.Store;
using static TwisterLab.KubeSim.Controllers.DeploymentMath;

namespace TwisterLab.KubeSim.Controllers;

/// <summary>
/// The deployment controller (kubernetes pkg/controller/deployment): a ReplicaSet per pod template, revisions,
/// rolling and recreate rollouts, proportional scaling, history cleanup, and the Available/Progressing conditions
/// with their real reasons. One sync reads the world, makes at most one scaling step, and writes the status once.
/// </summary>
internal sealed class DeploymentController(Registry registry, EventRecorder events)
{
    /// <summary>A ReplicaSet as one sync sees it; Spec follows the scaling this sync does.</summary>
    sealed class Rs(JsonObject obj)
    {
        public JsonObject Obj { get; set; } = obj;
        public string Name => Owners.Name(Obj);
        public int Spec { get; set; } = Json.Int(obj, 1, "spec", "replicas");
        public int StatusReplicas => Json.Int(Obj, 0, "status", "replicas");
        public int Ready => Json.Int(Obj, 0, "status", "readyReplicas");
        public int Available => Json.Int(Obj, 0, "status", "availableReplicas");
        public long Revision => DeploymentMath.Revision(Obj);
        public DateTime Created => Owners.Created(Obj);
    }

    /// <summary>What one sync of one Deployment works on.</summary>
    sealed class SyncState(JsonObject d, DateTime now)
    {
        public JsonObject D { get; } = d;
        public DateTime Now { get; } = now;
        public JsonObject OldStatus { get; } = (d["status"] as JsonObject)?.DeepClone() as JsonObject ?? new JsonObject();
        public JsonObject Status { get; set; } = (d["status"] as JsonObject)?.DeepClone() as JsonObject ?? new JsonObject();
        public string? Revision { get; set; }
        public List<Rs> All { get; set; } = [];
        public int Replicas => Json.Int(D, 1, "spec", "replicas");
        public string Namespace => Owners.Namespace(D)!;
    }

    ObjectStore Store => registry.Store;

    public void Sync(DateTime now)
    {
        var replicaSets = Store.List(ResourceCatalog.ReplicaSets, null).Items;
        foreach (var d in Store.List(ResourceCatalog.Deployments, null).Items)
        {
            var sync = new SyncState(d, now);
            try
            {
                SyncDeployment(sync, replicaSets);
                WriteStatus(sync);
            }
            catch (ApiException) { /* raced with a writer: the next pass starts from the new state */ }
        }
    }

    void SyncDeployment(SyncState s, List<JsonObject> replicaSets)
    {
        var selector = Json.Walk(s.D, "spec", "selector");
        if (LabelSelector.FromObject(selector).IsEmpty)
        {
            s.Status["observedGeneration"] = Json.Long(s.D, "metadata", "generation");
            return;
        }
        var labelSelector = LabelSelector.FromObject(selector);
        s.All = replicaSets.Where(rs => Owners.IsControlledBy(rs, s.D) && labelSelector.Matches(rs)).Select(rs => new Rs(rs)).ToList();

        if (Owners.IsTerminating(s.D))
        {
            var (newRs, _) = FindNewAndOld(s);
            s.Status = CalculateStatus(s, newRs);
            return;
        }
        CheckPausedConditions(s);
        if (Json.Bool(s.D, "spec", "paused") || IsScalingEvent(s))
        {
            SyncScale(s);
            return;
        }
        if (Json.Str(s.D, "spec", "strategy", "type") == "Recreate") RolloutRecreate(s);
        else RolloutRolling(s);
    }

    // ---- sync.go: scaling and paused deployments ----

    bool IsScalingEvent(SyncState s)
    {
        var (newRs, olds) = FindNewAndOld(s);
        return olds.Append(newRs).OfType<Rs>().Where(rs => rs.Spec > 0).Any(rs =>
            Json.Str(rs.Obj, "metadata", "annotations", DesiredReplicasAnnotation) is { } desired && desired != s.Replicas.ToString());
    }

    void SyncScale(SyncState s)
    {
        var (newRs, olds) = GetAllReplicaSetsAndSyncRevision(s, create: false);
        Scale(s, newRs, olds);
        if (Json.Bool(s.D, "spec", "paused")) CleanupDeployment(s, olds);
        var conditions = s.Status["conditions"]?.DeepClone();
        s.Status = CalculateStatus(s, newRs);
        if (conditions is not null) s.Status["conditions"] = conditions;
        SetAvailableCondition(s);
    }

    void Scale(SyncState s, Rs? newRs, List<Rs> olds)
    {
        var all = olds.Append(newRs).OfType<Rs>().ToList();
        var active = all.Where(rs => rs.Spec > 0).ToList();
        var activeOrLatest = active.Count switch
        {
            0 => newRs ?? olds.OrderByDescending(rs => rs.Created).FirstOrDefault(),
            1 => active[0],
            _ => null,
        };
        if (activeOrLatest is not null)
        {
            if (activeOrLatest.Spec != s.Replicas) ScaleReplicaSet(s, activeOrLatest, s.Replicas);
            return;
        }
        if (newRs is not null && newRs.Spec == s.Replicas && newRs.Available == s.Replicas)
        {
            foreach (var old in olds.Where(rs => rs.Spec > 0)) ScaleReplicaSet(s, old, 0);
            return;
        }
        // Proportional scaling of every active ReplicaSet, biggest (then newest) first gets the leftover.
        var current = active.Sum(rs => rs.Spec);
        var allowed = s.Replicas > 0 ? s.Replicas + MaxSurge(s.D) : 0;
        var toAdd = allowed - current;
        if (toAdd == 0 || current == 0) return;
        var ordered = active.OrderByDescending(rs => rs.Spec).ThenByDescending(rs => rs.Created).ToList();
        var sizes = ordered.ToDictionary(rs => rs, rs => rs.Spec + (int)((long)rs.Spec * toAdd / current));
        var leftover = toAdd - sizes.Sum(kv => kv.Value - kv.Key.Spec);
        sizes[ordered[0]] = Math.Max(0, sizes[ordered[0]] + leftover);
        foreach (var (rs, size) in sizes) ScaleReplicaSet(s, rs, Math.Max(0, size));
    }

    void CheckPausedConditions(SyncState s)
    {
        if (!HasProgressDeadline(s.D)) return;
        var progressing = Conditions.Get(s.Status, "Progressing");
        if (Json.Str(progressing, "reason") == "ProgressDeadlineExceeded") return;
        var pausedExists = Json.Str(progressing, "reason") == "DeploymentPaused";
        var paused = Json.Bool(s.D, "spec", "paused");
        if (paused && !pausedExists)
            Conditions.Set(s.Status, "Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", withUpdateTime: true, now: s.Now);
        else if (!paused && pausedExists)
            Conditions.Set(s.Status, "Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed", withUpdateTime: true, now: s.Now);
    }

    // ---- rolling.go ----

    void RolloutRolling(SyncState s)
    {
        var (newRs, olds) = GetAllReplicaSetsAndSyncRevision(s, create: true);
        var all = olds.Append(newRs).OfType<Rs>().ToList();
        if (ReconcileNewReplicaSet(s, all, newRs!) || ReconcileOldReplicaSets(s, all, olds.Where(rs => rs.Spec > 0).ToList(), newRs!))
        {
            SyncRolloutStatus(s, newRs);
            return;
        }
        if (IsComplete(s, CalculateStatus(s, newRs))) CleanupDeployment(s, olds);
        SyncRolloutStatus(s, newRs);
    }

    bool ReconcileNewReplicaSet(SyncState s, List<Rs> all, Rs newRs)
    {
        if (newRs.Spec == s.Replicas) return false;
        if (newRs.Spec > s.Replicas) return ScaleReplicaSet(s, newRs, s.Replicas);
        return ScaleReplicaSet(s, newRs, NewReplicaSetReplicas(s, all, newRs));
    }

    int NewReplicaSetReplicas(SyncState s, List<Rs> all, Rs? newRs)
    {
        var current = newRs?.Spec ?? 0;
        if (Json.Str(s.D, "spec", "strategy", "type") == "Recreate") return s.Replicas;
        var maxTotal = s.Replicas + MaxSurge(s.D);
        var total = all.Sum(rs => rs.Spec);
        if (total >= maxTotal) return current;
        return current + Math.Min(maxTotal - total, s.Replicas - current);
    }

    bool ReconcileOldReplicaSets(SyncState s, List<Rs> all, List<Rs> activeOlds, Rs newRs)
    {
        if (activeOlds.Sum(rs => rs.Spec) == 0) return false;
        var minAvailable = s.Replicas - MaxUnavailable(s.D);
        var newUnavailable = newRs.Spec - newRs.Available;
        var maxScaledDown = all.Sum(rs => rs.Spec) - minAvailable - newUnavailable;
        if (maxScaledDown <= 0) return false;

        // First remove old replicas that are not available anyway, oldest ReplicaSet first.
        var cleaned = 0;
        foreach (var rs in activeOlds.OrderBy(rs => rs.Created).ThenBy(rs => rs.Name, StringComparer.Ordinal))
        {
            if (cleaned >= maxScaledDown) break;
            if (rs.Spec == 0 || rs.Spec == rs.Available) continue;
            var down = Math.Min(maxScaledDown - cleaned, rs.Spec - rs.Available);
            ScaleReplicaSet(s, rs, rs.Spec - down);
            cleaned += down;
        }

        // Then scale down available old replicas as far as minAvailable allows.
        var scaled = 0;
        var availableCount = all.Sum(rs => rs.Available);
        if (availableCount > minAvailable)
        {
            var total = availableCount - minAvailable;
            foreach (var rs in activeOlds.OrderBy(rs => rs.Created).ThenBy(rs => rs.Name, StringComparer.Ordinal))
            {
                if (scaled >= total) break;
                if (rs.Spec == 0) continue;
                var down = Math.Min(rs.Spec, total - scaled);
                ScaleReplicaSet(s, rs, rs.Spec - down);
                scaled += down;
            }
        }
        return cleaned + scaled > 0;
    }

    // ---- recreate.go ----

    void RolloutRecreate(SyncState s)
    {
        var (newRs, olds) = GetAllReplicaSetsAndSyncRevision(s, create: false);
        var scaledDown = false;
        foreach (var old in olds.Where(rs => rs.Spec > 0)) scaledDown |= ScaleReplicaSet(s, old, 0);
        if (scaledDown || OldPodsRunning(olds))
        {
            SyncRolloutStatus(s, newRs);
            return;
        }
        if (newRs is null) (newRs, olds) = GetAllReplicaSetsAndSyncRevision(s, create: true);
        if (newRs!.Spec != s.Replicas) ScaleReplicaSet(s, newRs, s.Replicas);
        if (IsComplete(s, CalculateStatus(s, newRs))) CleanupDeployment(s, olds);
        SyncRolloutStatus(s, newRs);
    }

    bool OldPodsRunning(List<Rs> olds)
    {
        var oldUids = olds.Select(rs => Json.Str(rs.Obj, "metadata", "uid")).ToHashSet();
        return Store.List(ResourceCatalog.Pods, null).Items.Any(p =>
            oldUids.Contains(Owners.ControllerUid(p)) && Json.Str(p, "status", "phase") is not ("Succeeded" or "Failed"));
    }

    // ---- sync.go: new ReplicaSet, revisions, cleanup ----

    (Rs? New, List<Rs> Old) FindNewAndOld(SyncState s)
    {
        var template = Json.Walk(s.D, "spec", "template");
        var newRs = s.All.Where(rs => EqualIgnoreHash(Json.Walk(rs.Obj, "spec", "template"), template))
            .OrderBy(rs => rs.Created).ThenBy(rs => rs.Name, StringComparer.Ordinal).FirstOrDefault();
        return (newRs, s.All.Where(rs => rs != newRs).ToList());
    }

    (Rs? New, List<Rs> Old) GetAllReplicaSetsAndSyncRevision(SyncState s, bool create)
    {
        var (newRs, olds) = FindNewAndOld(s);
        var newRevision = (olds.Count == 0 ? 0 : olds.Max(rs => rs.Revision)) + 1;

        if (newRs is not null)
        {
            var updated = Json.Clone(newRs.Obj);
            var changed = SetNewReplicaSetAnnotations(s, updated, newRevision, exists: true);
            var minReady = Json.Walk(s.D, "spec", "minReadySeconds");
            if (!JsonNode.DeepEquals(Json.Walk(updated, "spec", "minReadySeconds"), minReady))
            {
                Json.Obj(updated, "spec")["minReadySeconds"] = minReady?.DeepClone();
                changed = true;
            }
            if (changed) newRs.Obj = registry.Update(ResourceCatalog.ReplicaSets, s.Namespace, newRs.Name, null, updated);
            s.Revision = Json.Str(newRs.Obj, "metadata", "annotations", RevisionAnnotation);
            if (HasProgressDeadline(s.D) && Conditions.Get(s.Status, "Progressing") is null)
                Conditions.Set(s.Status, "Progressing", "True", "FoundNewReplicaSet", $"Found new replica set \"{newRs.Name}\"", withUpdateTime: true, now: s.Now);
            return (newRs, olds);
        }
        if (!create) return (null, olds);

        var collisionCount = Json.Long(s.Status, "collisionCount") ?? 0;
        var hash = PodTemplateHash(Json.Walk(s.D, "spec", "template"), collisionCount);
        var template = (JsonObject)Json.Walk(s.D, "spec", "template")!.DeepClone();
        Json.Obj(Json.Obj(template, "metadata"), "labels")[HashLabel] = hash;
        var selector = (JsonObject)Json.Walk(s.D, "spec", "selector")!.DeepClone();
        Json.Obj(selector, "matchLabels")[HashLabel] = hash;
        var name = $"{Owners.Name(s.D)}-{hash}";
        var rs = new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "ReplicaSet",
            ["metadata"] = new JsonObject
            {
                ["name"] = name,
                ["namespace"] = s.Namespace,
                ["labels"] = template["metadata"]!["labels"]!.DeepClone(),
                ["ownerReferences"] = Owners.ControllerReference(s.D),
            },
            ["spec"] = new JsonObject
            {
                ["replicas"] = NewReplicaSetReplicas(s, olds, null),
                ["minReadySeconds"] = Json.Walk(s.D, "spec", "minReadySeconds")?.DeepClone(),
                ["selector"] = selector,
                ["template"] = template,
            },
        };
        SetNewReplicaSetAnnotations(s, rs, newRevision, exists: false);
        JsonObject created;
        try
        {
            created = registry.Create(ResourceCatalog.ReplicaSets, s.Namespace, rs);
        }
        catch (ApiException e) when (e.Reason == "AlreadyExists")
        {
            var existing = Store.Get(ResourceCatalog.ReplicaSets, s.Namespace, name);
            if (existing is not null && Owners.IsControlledBy(existing, s.D) && EqualIgnoreHash(Json.Walk(existing, "spec", "template"), Json.Walk(s.D, "spec", "template")))
                throw;  // our own ReplicaSet from a moment ago: the next pass adopts it
            // A hash collision: bump collisionCount so the next pass computes a different name.
            s.Status["collisionCount"] = collisionCount + 1;
            return (null, olds);
        }
        var newOne = new Rs(created);
        if (newOne.Spec > 0)
            events.Normal(s.D, "deployment-controller", "ScalingReplicaSet", $"Scaled up replica set {name} from 0 to {newOne.Spec}");
        s.All.Add(newOne);
        s.Revision = newRevision.ToString();
        if (HasProgressDeadline(s.D))
            Conditions.Set(s.Status, "Progressing", "True", "NewReplicaSetCreated", $"Created new replica set \"{name}\"", withUpdateTime: true, now: s.Now);
        return (newOne, olds);
    }

    bool SetNewReplicaSetAnnotations(SyncState s, JsonObject rs, long newRevision, bool exists)
    {
        var annotations = Json.Obj(Json.Obj(rs, "metadata"), "annotations");
        var before = annotations.DeepClone();
        foreach (var (k, v) in LabelSelector.StringMap(Json.Walk(s.D, "metadata", "annotations")))
            if (!SkippedAnnotations.Contains(k)) annotations[k] = v;
        var oldRevision = Json.Str(annotations, RevisionAnnotation);
        if (!long.TryParse(oldRevision, out var old) || old < newRevision)
        {
            annotations[RevisionAnnotation] = newRevision.ToString();
            if (!string.IsNullOrEmpty(oldRevision))
            {
                var history = Json.Str(annotations, RevisionHistoryAnnotation);
                annotations[RevisionHistoryAnnotation] = string.IsNullOrEmpty(history) ? oldRevision : $"{history},{oldRevision}";
            }
        }
        if (!exists)
        {
            annotations[DesiredReplicasAnnotation] = s.Replicas.ToString();
            annotations[MaxReplicasAnnotation] = (s.Replicas + MaxSurge(s.D)).ToString();
        }
        return !JsonNode.DeepEquals(before, annotations);
    }

    bool ScaleReplicaSet(SyncState s, Rs rs, int size)
    {
        var desired = s.Replicas.ToString();
        var max = (s.Replicas + MaxSurge(s.D)).ToString();
        var annotations = Json.Walk(rs.Obj, "metadata", "annotations");
        var sizeChanged = rs.Spec != size;
        if (!sizeChanged && Json.Str(annotations, DesiredReplicasAnnotation) == desired && Json.Str(annotations, MaxReplicasAnnotation) == max)
            return false;
        var patch = new JsonObject
        {
            ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [DesiredReplicasAnnotation] = desired, [MaxReplicasAnnotation] = max } },
            ["spec"] = new JsonObject { ["replicas"] = size },
        };
        rs.Obj = registry.Patch(ResourceCatalog.ReplicaSets, s.Namespace, rs.Name, null, "application/merge-patch+json", Json.Serialize(patch), null).Object;
        if (sizeChanged)
            events.Normal(s.D, "deployment-controller", "ScalingReplicaSet",
                $"Scaled {(size > rs.Spec ? "up" : "down")} replica set {rs.Name} from {rs.Spec} to {size}");
        rs.Spec = size;
        return sizeChanged;
    }

    void CleanupDeployment(SyncState s, List<Rs> olds)
    {
        var limit = Json.Int(s.D, 10, "spec", "revisionHistoryLimit");
        var cleanable = olds.Where(rs => !Owners.IsTerminating(rs.Obj)).OrderBy(rs => rs.Revision).ToList();
        var diff = cleanable.Count - limit;
        foreach (var rs in cleanable.Take(Math.Max(0, diff)))
        {
            if (rs.StatusReplicas != 0 || rs.Spec != 0) continue;
            if ((Json.Long(rs.Obj, "metadata", "generation") ?? 0) > (Json.Long(rs.Obj, "status", "observedGeneration") ?? 0)) continue;
            registry.Delete(ResourceCatalog.ReplicaSets, s.Namespace, rs.Name, null);
        }
    }

    // ---- status and conditions (sync.go calculateStatus, progress.go) ----

    JsonObject CalculateStatus(SyncState s, Rs? newRs)
    {
        var all = s.All;
        var status = new JsonObject();
        void Put(string field, long value)
        {
            if (value != 0) status[field] = value;
        }
        var available = all.Sum(rs => rs.Available);
        Put("observedGeneration", Json.Long(s.D, "metadata", "generation") ?? 0);
        Put("replicas", all.Sum(rs => rs.StatusReplicas));
        Put("updatedReplicas", newRs?.StatusReplicas ?? 0);
        Put("readyReplicas", all.Sum(rs => rs.Ready));
        Put("availableReplicas", available);
        Put("unavailableReplicas", Math.Max(0, all.Sum(rs => rs.Spec) - available));
        if (s.Status["collisionCount"] is { } collisions) status["collisionCount"] = collisions.DeepClone();
        if (s.Status["conditions"] is { } conditions) status["conditions"] = conditions.DeepClone();
        return status;
    }

    void SetAvailableCondition(SyncState s)
    {
        var available = Json.Int(s.Status, 0, "availableReplicas");
        if (available >= s.Replicas - MaxUnavailable(s.D))
            SetCondition(s.Status, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", s.Now);
        else
            SetCondition(s.Status, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", s.Now);
    }

    void SyncRolloutStatus(SyncState s, Rs? newRs)
    {
        s.Status = CalculateStatus(s, newRs);
        SetAvailableCondition(s);
        if (!HasProgressDeadline(s.D))
        {
            Conditions.Remove(s.Status, "Progressing");
            return;
        }
        var current = Conditions.Get(s.Status, "Progressing");
        var complete = Json.Int(s.Status, 0, "replicas") == Json.Int(s.Status, 0, "updatedReplicas")
            && Json.Str(current, "reason") == "NewReplicaSetAvailable";
        if (complete) return;
        var rsName = newRs?.Name;
        if (IsComplete(s, s.Status))
        {
            SetCondition(s.Status, "Progressing", "True", "NewReplicaSetAvailable",
                $"ReplicaSet \"{rsName}\" has successfully progressed.", s.Now);
        }
        else if (IsProgressing(s))
        {
            // Progress refreshes lastUpdateTime (the deadline's start) and keeps lastTransitionTime.
            var message = rsName is null ? $"Deployment \"{Owners.Name(s.D)}\" is progressing." : $"ReplicaSet \"{rsName}\" is progressing.";
            var keepTransition = Json.Str(current, "status") == "True" ? Json.Str(current, "lastTransitionTime") : null;
            Conditions.Remove(s.Status, "Progressing");
            Conditions.Set(s.Status, "Progressing", "True", "ReplicaSetUpdated", message, withUpdateTime: true, now: s.Now);
            if (keepTransition is not null) Conditions.Get(s.Status, "Progressing")!["lastTransitionTime"] = keepTransition;
        }
        else if (IsTimedOut(s))
        {
            SetCondition(s.Status, "Progressing", "False", "ProgressDeadlineExceeded",
                $"ReplicaSet \"{rsName}\" has timed out progressing.", s.Now);
        }
    }

    /// <summary>SetDeploymentCondition: a condition whose status and reason are unchanged is left alone.</summary>
    static void SetCondition(JsonObject status, string type, string value, string reason, string message, DateTime now)
    {
        var existing = Conditions.Get(status, type);
        if (Json.Str(existing, "status") == value && Json.Str(existing, "reason") == reason) return;
        Conditions.Set(status, type, value, reason, message, withUpdateTime: true, now: now);
    }

    bool IsComplete(SyncState s, JsonObject status) =>
        Json.Int(status, 0, "updatedReplicas") == s.Replicas
        && Json.Int(status, 0, "replicas") == s.Replicas
        && Json.Int(status, 0, "availableReplicas") == s.Replicas
        && (Json.Long(status, "observedGeneration") ?? 0) >= (Json.Long(s.D, "metadata", "generation") ?? 0);

    bool IsProgressing(SyncState s)
    {
        var o = s.OldStatus;
        var n = s.Status;
        int F(JsonObject x, string f) => Json.Int(x, 0, f);
        return F(n, "updatedReplicas") > F(o, "updatedReplicas")
            || F(n, "replicas") - F(n, "updatedReplicas") < F(o, "replicas") - F(o, "updatedReplicas")
            || F(n, "readyReplicas") > F(o, "readyReplicas")
            || F(n, "availableReplicas") > F(o, "availableReplicas");
    }

    bool IsTimedOut(SyncState s)
    {
        var condition = Conditions.Get(s.Status, "Progressing");
        if (condition is null) return false;
        var reason = Json.Str(condition, "reason");
        if (reason == "NewReplicaSetAvailable") return false;
        if (reason == "ProgressDeadlineExceeded") return true;
        var from = Json.ParseTime(Json.Str(condition, "lastUpdateTime"));
        var deadline = TimeSpan.FromSeconds(Json.Int(s.D, 600, "spec", "progressDeadlineSeconds"));
        return from is not null && s.Now > from.Value + deadline;
    }

    static bool HasProgressDeadline(JsonObject d) =>
        Json.Long(d, "spec", "progressDeadlineSeconds") is { } seconds && seconds != int.MaxValue;

    /// <summary>Writes status and the revision annotation as the /status endpoint would: no generation bump.</summary>
    void WriteStatus(SyncState s)
    {
        Store.Mutate(ResourceCatalog.Deployments, s.Namespace, Owners.Name(s.D), current =>
        {
            if (Json.Str(current, "metadata", "uid") != Json.Str(s.D, "metadata", "uid")) return current;
            current["status"] = s.Status.DeepClone();
            if (s.Revision is not null)
                Json.Obj(Json.Obj(current, "metadata"), "annotations")[RevisionAnnotation] = s.Revision;
            return current;
        });
    }
}
