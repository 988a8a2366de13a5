using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Exec;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Containers;

/// <summary>
/// The containers the simulator really runs: those of pods that run to completion (restartPolicy Never or
/// OnFailure, as Jobs' pods are) and that name a command. The command runs once per attempt through the exec
/// handler, in the pod's own folder, with the container's environment; what it writes goes to the pod's log and
/// its exit code becomes the container's terminated state. Long-running pods (restartPolicy Always) are not run:
/// their servers are stood in for by the exec handler. Their configMap volumes are projected into the pod's folder
/// first (<see cref="ConfigMapFiles"/>).
/// </summary>
internal sealed class ContainerRuns(ObjectStore store, Func<IExecHandler> handler, PodLogs logs, PodSandboxes sandboxes)
{
    internal sealed class Attempt
    {
        public required int Number { get; init; }
        public required DateTime StartedAt { get; init; }
        public DateTime? FinishedAt { get; set; }
        public int? ExitCode { get; set; }
        public CancellationTokenSource Stop { get; } = new();
    }

    readonly ConcurrentDictionary<string, Attempt> attempts = new();

    public static bool RunsToCompletion(JsonObject pod, JsonObject container) =>
        Json.Str(pod, "spec", "restartPolicy") is "Never" or "OnFailure" &&
        (container["command"] is JsonArray { Count: > 0 } || container["args"] is JsonArray { Count: > 0 });

    /// <summary>The current attempt of the container, started now if it never ran.</summary>
    public Attempt Current(JsonObject pod, JsonObject container, DateTime now) =>
        attempts.GetOrAdd(Key(pod, container), _ => Start(pod, container, 1, now));

    /// <summary>Starts the next attempt (OnFailure restarts); the log of the last one becomes the previous log.</summary>
    public Attempt Restart(JsonObject pod, JsonObject container, DateTime now)
    {
        var key = Key(pod, container);
        var number = attempts.TryGetValue(key, out var last) ? last.Number + 1 : 1;
        logs.For(Uid(pod), Json.Str(container, "name") ?? "").Restart();
        var next = Start(pod, container, number, now);
        attempts[key] = next;
        return next;
    }

    /// <summary>The pod is terminating or gone: its processes are stopped (SIGKILL, exit 137).</summary>
    public void StopPod(string uid)
    {
        foreach (var (key, attempt) in attempts)
            if (key.StartsWith(uid + "/")) attempt.Stop.Cancel();
        logs.FinishPod(uid);
    }

    public void Forget(string uid)
    {
        foreach (var key in attempts.Keys.Where(k => k.StartsWith(uid + "/")).ToList())
            if (attempts.TryRemove(key, out var a)) a.Stop.Cancel();
        logs.Forget(uid);
        sandboxes.Remove(uid);
    }

    Attempt Start(JsonObject pod, JsonObject container, int number, DateTime now)
    {
        var attempt = new Attempt { Number = number, StartedAt = now };
        var argv = new List<string>();
        foreach (var part in new[] { "command", "args" })
            if (container[part] is JsonArray list) argv.AddRange(list.Select(a => a?.ToString() ?? ""));
        var ns = Json.Str(pod, "metadata", "namespace") ?? "default";
        var name = Json.Str(pod, "metadata", "name") ?? "";
        var request = new ExecRequest(ns, name, Json.Str(container, "name") ?? "", Json.Str(container, "image") ?? "", argv,
            PodEnvironment.Of(store, pod, container), Tty: false, Stdin: false)
        {
            WorkingDirectory = sandboxes.For(ns, name, Uid(pod)),
        };
        ConfigMapFiles.Write(store, pod, container, request.WorkingDirectory);
        var log = logs.For(Uid(pod), request.Container);
        _ = Task.Run(async () =>
        {
            int code;
            try
            {
                using var stdout = new LogWriterStream(log);
                using var stderr = new LogWriterStream(log);
                code = await handler().ExecAsync(request, Stream.Null, stdout, stderr, attempt.Stop.Token);
            }
            catch (OperationCanceledException) { code = 137; }
            catch (Exception e)
            {
                log.Append($"kubesim: the container could not run: {e.Message}\n");
                code = 128;
            }
            attempt.FinishedAt = DateTime.UtcNow;
            attempt.ExitCode = code;
            log.Finish();
        });
        return attempt;
    }

    static string Uid(JsonObject pod) => Json.Str(pod, "metadata", "uid") ?? "";

    static string Key(JsonObject pod, JsonObject container) => $"{Uid(pod)}/{Json.Str(container, "name")}";
}
