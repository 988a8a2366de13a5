using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Api;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Controllers;

/// <summary>
/// The Job controller (pkg/controller/job) for NonIndexed jobs: it keeps up to `parallelism` pods running until
/// `completions` have succeeded, counts failed pods (and restarts, for restartPolicy OnFailure) against
/// `backoffLimit`, fails the job after `activeDeadlineSeconds`, and reports active/ready/succeeded/failed with the
/// v1.32 conditions (SuccessCriteriaMet then Complete; FailureTarget then Failed). The TTL-after-finished controller
/// deletes a finished job (and, in the foreground, its pods) after `ttlSecondsAfterFinished`.
/// The pods' containers really run (see ContainerRuns), so the exit code of the command decides the outcome.
/// </summary>
internal sealed class JobController(Registry registry, EventRecorder events)
{
    ObjectStore Store => registry.Store;

    public void Sync(DateTime now)
    {
        var pods = Store.List(ResourceCatalog.Pods, null).Items;
        foreach (var job in Store.List(ResourceCatalog.Jobs, null).Items)
        {
            try { SyncOne(job, pods, now); }
            catch (ApiException) { /* raced with a writer: next pass */ }
        }
    }

    void SyncOne(JsonObject job, List<JsonObject> allPods, DateTime now)
    {
        if (Owners.IsTerminating(job)) return;
        var ns = Owners.Namespace(job);
        var name = Owners.Name(job);
        if (FinishedAt(job) is { } finished)
        {
            if (Json.Long(job, "spec", "ttlSecondsAfterFinished") is { } ttl && now >= finished.AddSeconds(ttl))
                registry.Delete(ResourceCatalog.Jobs, ns, name, new JsonObject { ["propagationPolicy"] = "Foreground" });
            return;
        }
        if (Json.Bool(job, "spec", "suspend")) return;

        var owned = allPods.Where(p => Owners.IsControlledBy(p, job)).ToList();
        var succeeded = owned.Count(p => Phase(p) == "Succeeded");
        var failedPods = owned.Count(p => Phase(p) == "Failed");
        var restarts = Json.Str(job, "spec", "template", "spec", "restartPolicy") == "OnFailure"
            ? owned.Sum(p => ((Json.Walk(p, "status", "containerStatuses") as JsonArray)?.OfType<JsonObject>() ?? []).Sum(s => Json.Long(s, "restartCount") ?? 0))
            : 0;
        var active = owned.Where(p => Phase(p) is not ("Succeeded" or "Failed") && !Owners.IsTerminating(p)).ToList();
        var completions = Json.Int(job, 1, "spec", "completions");
        var parallelism = Json.Int(job, 1, "spec", "parallelism");
        var backoffLimit = Json.Int(job, 6, "spec", "backoffLimit");
        var startTime = Json.ParseTime(Json.Str(job, "status", "startTime")) ?? now;

        (string Type, string Reason, string Message)? outcome = null;
        if (Json.Long(job, "spec", "activeDeadlineSeconds") is { } deadline && now - startTime >= TimeSpan.FromSeconds(deadline))
            outcome = ("Failed", "DeadlineExceeded", "Job was active longer than specified deadline");
        else if (failedPods + restarts > backoffLimit)
            outcome = ("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit");
        else if (succeeded >= completions)
            outcome = ("Complete", "CompletionsReached", "Reached expected number of succeeded pods");

        if (outcome is { Type: "Failed" })
            foreach (var pod in active)
                registry.Delete(ResourceCatalog.Pods, ns, Owners.Name(pod), null);
        else if (outcome is null)
        {
            var wanted = Math.Min(parallelism, completions - succeeded) - active.Count;
            for (var i = 0; i < wanted; i++)
            {
                var pod = CreatePod(job);
                events.Normal(job, "job-controller", "SuccessfulCreate", $"Created pod: {Owners.Name(pod)}");
                active.Add(pod);
            }
        }

        var ready = active.Count(p => Conditions.IsTrue(p, "Ready"));
        Store.Mutate(ResourceCatalog.Jobs, ns, name, current =>
        {
            var status = Json.Obj(current, "status");
            status["startTime"] ??= Json.Timestamp(startTime);
            status["active"] = outcome is { Type: "Failed" } ? 0 : active.Count;
            status["ready"] = ready;
            status["terminating"] = owned.Count(Owners.IsTerminating);
            if (succeeded > 0) status["succeeded"] = succeeded; else status.Remove("succeeded");
            if (failedPods > 0) status["failed"] = failedPods; else status.Remove("failed");
            status["uncountedTerminatedPods"] = new JsonObject();
            if (outcome is { } o)
            {
                // v1.31+ first records the interim condition, then the final one (JobSuccessPolicy, JobPodFailurePolicy).
                Conditions.Set(status, o.Type == "Complete" ? "SuccessCriteriaMet" : "FailureTarget", "True", o.Reason, o.Message, withUpdateTime: true, now: now);
                Conditions.Set(status, o.Type, "True", o.Reason, o.Message, withUpdateTime: true, now: now);
                if (o.Type == "Complete") status["completionTime"] = Json.Timestamp(now);
                status["active"] = 0;
            }
            return current;
        });
        if (outcome is { Type: "Complete" }) events.Normal(job, "job-controller", "Completed", "Job completed");
        else if (outcome is { } f) events.Warning(job, "job-controller", f.Reason, f.Message);
    }

    static string? Phase(JsonObject pod) => Json.Str(pod, "status", "phase");

    /// <summary>When the job got its Complete or Failed condition, or null while it runs.</summary>
    static DateTime? FinishedAt(JsonObject job)
    {
        foreach (var c in (Json.Walk(job, "status", "conditions") as JsonArray)?.OfType<JsonObject>() ?? [])
            if (Json.Str(c, "type") is "Complete" or "Failed" && Json.Str(c, "status") == "True")
                return Json.ParseTime(Json.Str(c, "lastTransitionTime")) ?? DateTime.UtcNow;
        return null;
    }

    JsonObject CreatePod(JsonObject job)
    {
        var template = Json.Walk(job, "spec", "template") as JsonObject ?? new JsonObject();
        var meta = (Json.Walk(template, "metadata") as JsonObject)?.DeepClone() as JsonObject ?? new JsonObject();
        meta.Remove("name");
        meta.Remove("creationTimestamp");
        meta["generateName"] = Owners.Name(job) + "-";
        meta["namespace"] = Owners.Namespace(job);
        meta["ownerReferences"] = Owners.ControllerReference(job);
        return registry.Create(ResourceCatalog.Pods, Owners.Namespace(job), new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = meta,
            ["spec"] = template["spec"]?.DeepClone(),
        });
    }
}
