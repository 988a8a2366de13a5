using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Api;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Controllers;

/// <summary>
/// The scheduler and the kubelets: binds pods to schedulable Ready nodes, then walks them Pending → Running → Ready
/// after the start delay, as the image rules say (never ready, crash loop, unpullable, late readiness), and removes
/// terminating pods. Its clock per pod lives in memory, as a kubelet's does; status timestamps are what clients see.
/// </summary>
internal sealed class PodLifecycle(Registry registry, SimulatorOptions options, SimFaults faults, EventRecorder events, Containers.ContainerRuns runs)
{
    sealed class PodClock
    {
        public DateTime ScheduledAt;
        public DateTime? TerminatingSince;
    }

    readonly ConcurrentDictionary<string, PodClock> clocks = new();
    int nextIp;

    ObjectStore Store => registry.Store;

    public void Sync(DateTime now)
    {
        var nodes = Store.List(ResourceCatalog.Nodes, null).Items;
        var pods = Store.List(ResourceCatalog.Pods, null).Items;
        var alive = new HashSet<string>();
        var pass = new Scheduler.Pass(nodes, pods);
        foreach (var pod in pods)
        {
            var uid = Json.Str(pod, "metadata", "uid")!;
            alive.Add(uid);
            try
            {
                if (Owners.IsTerminating(pod)) Terminate(pod, uid, now);
                else if (string.IsNullOrEmpty(Json.Str(pod, "spec", "nodeName"))) Schedule(pod, pass, now);
                else Run(pod, uid, nodes, now);
            }
            catch (ApiException) { /* changed or deleted meanwhile: the next pass sees the new state */ }
        }
        foreach (var uid in clocks.Keys.Where(k => !alive.Contains(k)).ToList())
        {
            clocks.TryRemove(uid, out _);
            runs.Forget(uid);
        }
    }

    void Terminate(JsonObject pod, string uid, DateTime now)
    {
        var clock = clocks.GetOrAdd(uid, _ => new PodClock { ScheduledAt = now });
        if (clock.TerminatingSince is null)
        {
            clock.TerminatingSince = now;
            runs.StopPod(uid);
            foreach (var c in (Json.Walk(pod, "spec", "containers") as JsonArray)?.OfType<JsonObject>() ?? [])
                events.Normal(pod, "kubelet", "Killing", $"Stopping container {Json.Str(c, "name")}");
        }
        var grace = TimeSpan.FromSeconds(Json.Long(pod, "metadata", "deletionGracePeriodSeconds") ?? 0);
        // Containers stop at once in a simulation; keep a short, bounded shutdown so watchers see the Terminating state.
        var shutdown = grace < options.PodStartDelay ? grace : options.PodStartDelay;
        if (now - clock.TerminatingSince >= shutdown)
            Store.Remove(ResourceCatalog.Pods, Owners.Namespace(pod), Owners.Name(pod), uid);
    }

    void Schedule(JsonObject pod, Scheduler.Pass pass, DateTime now)
    {
        var (node, why) = pass.Choose(pod);
        var scheduled = Store.Mutate(ResourceCatalog.Pods, Owners.Namespace(pod), Owners.Name(pod), p =>
        {
            var status = Json.Obj(p, "status");
            if (node is null)
            {
                Conditions.Set(status, "PodScheduled", "False", "Unschedulable", why, now: now);
                return p;
            }
            if (!string.IsNullOrEmpty(Json.Str(p, "spec", "nodeName"))) return p;
            Json.Obj(p, "spec")["nodeName"] = Owners.Name(node);
            Conditions.Set(status, "PodScheduled", "True", null, null, now: now);
            return p;
        });
        if (node is not null)
        {
            pass.Placed(scheduled);
            clocks[Json.Str(pod, "metadata", "uid")!] = new PodClock { ScheduledAt = now };
            events.Normal(scheduled, "default-scheduler", "Scheduled",
                $"Successfully assigned {Owners.Namespace(pod)}/{Owners.Name(pod)} to {Json.Str(scheduled, "spec", "nodeName")}");
        }
        else if (Json.Str(scheduled, "metadata", "resourceVersion") != Json.Str(pod, "metadata", "resourceVersion"))
        {
            // Only when the pod's condition changed: an event on every pass would wake the loop forever.
            events.Warning(pod, "default-scheduler", "FailedScheduling", why ?? "no node available");
        }
    }

    void Run(JsonObject pod, string uid, List<JsonObject> nodes, DateTime now)
    {
        var clock = clocks.GetOrAdd(uid, _ => new PodClock { ScheduledAt = now });
        if (Json.Str(pod, "status", "phase") is "Succeeded" or "Failed") return;   // terminal: nothing changes any more
        var node = nodes.FirstOrDefault(n => Owners.Name(n) == Json.Str(pod, "spec", "nodeName"));
        var nodeReady = node is not null && NodeStatus.IsReady(node);
        var started = clock.ScheduledAt + options.PodStartDelay;
        if (now < started && Json.Str(pod, "status", "phase") == "Pending" && Json.Walk(pod, "status", "hostIP") is not null) return;

        var updated = Store.Mutate(ResourceCatalog.Pods, Owners.Namespace(pod), Owners.Name(pod), p =>
        {
            var status = Json.Obj(p, "status");
            status["hostIP"] = node is null ? null : NodeStatus.InternalIp(node);
            if (status["hostIP"] is not null) status["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = status["hostIP"]!.ToString() });
            Conditions.Set(status, "PodScheduled", "True", null, null, now: now);
            Conditions.Set(status, "Initialized", "True", null, null, now: now);
            var containers = (Json.Walk(p, "spec", "containers") as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
            var previous = (status["containerStatuses"] as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
            if (now < started)
            {
                status["containerStatuses"] = new JsonArray(containers.Select(c => (JsonNode)Waiting(c, "ContainerCreating", null, 0, null)).ToArray());
                SetReadiness(status, false, containers, now);
                return p;
            }

            var running = false;
            var statuses = new JsonArray();
            foreach (var c in containers)
            {
                var image = Json.Str(c, "image") ?? "";
                var rule = faults.RuleFor(image);
                var old = previous.FirstOrDefault(s => Json.Str(s, "name") == Json.Str(c, "name"));
                var restarts = Json.Long(old, "restartCount") ?? 0;
                var since = Json.Str(old, "state", "running", "startedAt") ?? Json.Timestamp(started);
                switch (rule.Behavior)
                {
                    case ImageBehavior.Unpullable:
                        var pullReason = now - started < options.PodStartDelay ? "ErrImagePull" : "ImagePullBackOff";
                        statuses.Add(Waiting(c, pullReason, pullReason == "ErrImagePull"
                            ? $"failed to pull and unpack image \"{image}\": not found"
                            : $"Back-off pulling image \"{image}\"", 0, null));
                        break;
                    case ImageBehavior.CrashLoop:
                        running = true;
                        var (crashRestarts, backOff) = CrashLoopBackOff.At(now - started, options.PodStartDelay);
                        var lastState = new JsonObject
                        {
                            ["terminated"] = new JsonObject { ["exitCode"] = 1, ["reason"] = "Error", ["startedAt"] = Json.Timestamp(started), ["finishedAt"] = Json.Timestamp(started) },
                        };
                        statuses.Add(Waiting(c, "CrashLoopBackOff",
                            $"back-off {backOff} restarting failed container={Json.Str(c, "name")} pod={Owners.Name(p)}_{Owners.Namespace(p)}({uid})", Math.Max(restarts, crashRestarts), lastState));
                        break;
                    case ImageBehavior.Healthy when Containers.ContainerRuns.RunsToCompletion(p, c):
                        statuses.Add(RunToCompletion(p, c, old, restarts, now, ref running));
                        break;
                    default:
                        running = true;
                        var ready = rule.Behavior == ImageBehavior.Healthy && nodeReady && now >= started + rule.ReadinessDelay;
                        statuses.Add(new JsonObject
                        {
                            ["name"] = Json.Str(c, "name"),
                            ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = since } },
                            ["ready"] = ready,
                            ["started"] = true,
                            ["restartCount"] = restarts,
                            ["image"] = image,
                            ["imageID"] = $"docker.io/library/{image}@sha256:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(image)))}",
                            ["containerID"] = $"containerd://{uid.Replace("-", "")}{Json.Str(c, "name")}",
                        });
                        break;
                }
            }
            status["containerStatuses"] = statuses;
            var terminated = statuses.Count > 0 && statuses.All(st => Json.Walk(st, "state", "terminated") is not null);
            status["phase"] = terminated
                ? statuses.All(st => Json.Long(st, "state", "terminated", "exitCode") == 0) ? "Succeeded" : "Failed"
                : running ? "Running" : "Pending";
            status["startTime"] ??= Json.Timestamp(clock.ScheduledAt);
            if (running && status["podIP"] is null)
            {
                var ip = $"10.244.{Math.Max(0, nodes.IndexOf(node!))}.{Interlocked.Increment(ref nextIp) % 250 + 2}";
                status["podIP"] = ip;
                status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = ip });
            }
            var allReady = statuses.Count > 0 && statuses.All(s => Json.Bool(s, "ready"));
            SetReadiness(status, allReady, containers, now);
            if (terminated)
            {
                // A finished pod is not ready, for the reason kubelet gives (pkg/kubelet/status/generate.go).
                Conditions.Set(status, "ContainersReady", "False", "PodCompleted", null, now: now);
                Conditions.Set(status, "Ready", "False", "PodCompleted", null, now: now);
            }
            return p;
        });
        RecordContainerEvents(pod, updated);
    }

    /// <summary>
    /// A container the simulator runs: running while its command runs, then terminated with the command's exit
    /// code (Completed or Error). With restartPolicy OnFailure a failed attempt is restarted (restartCount rises and
    /// the attempt's log becomes the previous log).
    /// </summary>
    JsonObject RunToCompletion(JsonObject pod, JsonObject container, JsonObject? old, long restarts, DateTime now, ref bool running)
    {
        var attempt = runs.Current(pod, container, now);
        if (attempt.ExitCode is { } failed && failed != 0 && Json.Str(pod, "spec", "restartPolicy") == "OnFailure")
        {
            attempt = runs.Restart(pod, container, now);
            restarts++;
        }
        var id = $"containerd://{Json.Str(pod, "metadata", "uid")!.Replace("-", "")}{Json.Str(container, "name")}{attempt.Number}";
        var state = attempt.ExitCode is { } code
            ? new JsonObject
            {
                ["terminated"] = new JsonObject
                {
                    ["exitCode"] = code,
                    ["reason"] = code == 0 ? "Completed" : "Error",
                    ["startedAt"] = Json.Timestamp(attempt.StartedAt),
                    ["finishedAt"] = Json.Timestamp(attempt.FinishedAt ?? now),
                    ["containerID"] = id,
                },
            }
            : new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Json.Timestamp(attempt.StartedAt) } };
        running |= attempt.ExitCode is null;
        var image = Json.Str(container, "image") ?? "";
        var status = new JsonObject
        {
            ["name"] = Json.Str(container, "name"),
            ["state"] = state,
            ["ready"] = attempt.ExitCode is null,
            ["started"] = attempt.ExitCode is null,
            ["restartCount"] = Math.Max(restarts, attempt.Number - 1),
            ["image"] = image,
            ["imageID"] = $"docker.io/library/{image}@sha256:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(image)))}",
            ["containerID"] = id,
        };
        if (old?["lastState"] is JsonObject last && attempt.Number > 1) status["lastState"] = last.DeepClone();
        return status;
    }

    /// <summary>The kubelet's events for what changed in the container statuses (kubectl describe pod shows them).</summary>
    void RecordContainerEvents(JsonObject before, JsonObject after)
    {
        var old = (Json.Walk(before, "status", "containerStatuses") as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        foreach (var now in (Json.Walk(after, "status", "containerStatuses") as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var name = Json.Str(now, "name");
            var image = Json.Str(now, "image");
            var previous = old.FirstOrDefault(o => Json.Str(o, "name") == name);
            var wasRunning = Json.Walk(previous, "state", "running") is not null;
            var reason = Json.Str(now, "state", "waiting", "reason");
            if (Json.Walk(now, "state", "running") is not null && !wasRunning)
            {
                events.Normal(after, "kubelet", "Pulled", $"Container image \"{image}\" already present on machine");
                events.Normal(after, "kubelet", "Created", $"Created container: {name}");
                events.Normal(after, "kubelet", "Started", $"Started container {name}");
                if (faults.RuleFor(image ?? "").Behavior == ImageBehavior.NeverReady)
                    events.Warning(after, "kubelet", "Unhealthy", "Readiness probe failed: the image rule keeps this container unready");
            }
            if (reason is null || reason == Json.Str(previous, "state", "waiting", "reason") && reason != "CrashLoopBackOff") continue;
            switch (reason)
            {
                case "ErrImagePull":
                    events.Warning(after, "kubelet", "Failed", $"Failed to pull image \"{image}\": not found");
                    break;
                case "ImagePullBackOff":
                    events.Normal(after, "kubelet", "BackOff", $"Back-off pulling image \"{image}\"");
                    break;
                case "CrashLoopBackOff" when (Json.Long(now, "restartCount") ?? 0) > (Json.Long(previous, "restartCount") ?? 0):
                    events.Warning(after, "kubelet", "BackOff", $"Back-off restarting failed container {name} in pod {Owners.Name(after)}");
                    break;
            }
        }
    }

    static JsonObject Waiting(JsonObject container, string reason, string? message, long restarts, JsonObject? lastState)
    {
        var waiting = new JsonObject { ["reason"] = reason };
        if (message is not null) waiting["message"] = message;
        var s = new JsonObject
        {
            ["name"] = Json.Str(container, "name"),
            ["state"] = new JsonObject { ["waiting"] = waiting },
            ["ready"] = false,
            ["started"] = false,
            ["restartCount"] = restarts,
            ["image"] = Json.Str(container, "image"),
            ["imageID"] = "",
        };
        if (lastState is not null) s["lastState"] = lastState;
        return s;
    }

    static void SetReadiness(JsonObject status, bool ready, List<JsonObject> containers, DateTime now)
    {
        var notReady = ready ? null : $"containers with unready status: [{string.Join(" ", containers.Select(c => Json.Str(c, "name")))}]";
        Conditions.Set(status, "ContainersReady", ready ? "True" : "False", ready ? null : "ContainersNotReady", notReady, now: now);
        Conditions.Set(status, "Ready", ready ? "True" : "False", ready ? null : "ContainersNotReady", notReady, now: now);
    }
}
