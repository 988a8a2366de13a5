using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using TwisterLab.KubeSim.Containers;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Api;

/// <summary>
/// GET pods/{name}/log as the apiserver and kubelet answer it (pkg/registry/core/pod/rest/log.go,
/// pkg/kubelet/kubelet_pods.go validateContainerLogStatus): container choice, 400 for a container that is waiting
/// to start or has no previous instance, then the container's log with follow, previous, sinceSeconds/sinceTime,
/// tailLines, timestamps and limitBytes.
/// </summary>
internal sealed class PodLogEndpoint(ObjectStore store, PodLogs logs)
{
    public async Task HandleAsync(HttpContext http, string ns, string name)
    {
        var pod = store.Get(ResourceCatalog.Pods, ns, name) ?? throw ApiException.NotFound(ResourceCatalog.Pods, name);
        var query = http.Request.Query;
        var containers = (Json.Walk(pod, "spec", "containers") as JsonArray)?.OfType<JsonObject>().Select(c => Json.Str(c, "name") ?? "").ToList() ?? [];
        var container = query["container"].FirstOrDefault();
        if (string.IsNullOrEmpty(container))
        {
            if (containers.Count != 1)
                throw ApiException.BadRequest($"a container name must be specified for pod {name}, choose one of: [{string.Join(" ", containers)}]");
            container = containers[0];
        }
        else if (!containers.Contains(container))
            throw ApiException.BadRequest($"container {container} is not valid for pod {name}");

        var previous = QueryBool.Parse(query["previous"], "previous");
        var follow = QueryBool.Parse(query["follow"], "follow");
        var timestamps = QueryBool.Parse(query["timestamps"], "timestamps");
        if (string.IsNullOrEmpty(Json.Str(pod, "spec", "nodeName")))
            throw ApiException.BadRequest($"pod {name} does not have a host assigned");
        var status = (Json.Walk(pod, "status", "containerStatuses") as JsonArray)?.OfType<JsonObject>().FirstOrDefault(s => Json.Str(s, "name") == container);
        var uid = Json.Str(pod, "metadata", "uid") ?? "";
        var log = logs.For(uid, container);
        if (previous)
        {
            if (!log.HasPrevious && Json.Walk(status, "lastState", "terminated") is null)
                throw ApiException.BadRequest($"previous terminated container \"{container}\" in pod \"{name}\" not found");
        }
        else if (status is null || (Json.Walk(status, "state", "running") is null && Json.Walk(status, "state", "terminated") is null
                                    && Json.Walk(status, "lastState", "terminated") is null))
        {
            var reason = Json.Str(status, "state", "waiting", "reason") ?? "ContainerCreating";
            var why = reason switch
            {
                "ErrImagePull" => "image can't be pulled",
                "ImagePullBackOff" => "trying and failing to pull image",
                _ => reason,
            };
            throw ApiException.BadRequest($"container \"{container}\" in pod \"{name}\" is waiting to start: {why}");
        }

        var since = SinceOf(query);
        var tail = long.TryParse(query["tailLines"], out var t) && t >= 0 ? t : (long?)null;
        var limit = long.TryParse(query["limitBytes"], out var l) && l > 0 ? l : (long?)null;
        http.Response.StatusCode = 200;
        http.Response.ContentType = "text/plain";
        var (lines, finished, changed) = log.Read(previous);
        var read = lines.Count;
        IEnumerable<LogLine> first = lines.Where(x => since is null || x.Time >= since);
        if (tail is { } n) first = first.TakeLast((int)Math.Min(n, int.MaxValue));
        var written = 0L;
        if (!await WriteAsync(http, first, timestamps, limit, onWritten: w => written += w)) return;
        await http.Response.Body.FlushAsync(http.RequestAborted);
        // follow: the container's new lines until it stops or the client leaves (the pod's deletion stops it too).
        while (follow && !finished && !http.RequestAborted.IsCancellationRequested)
        {
            await Task.WhenAny(changed, Task.Delay(TimeSpan.FromSeconds(1), http.RequestAborted));
            if (store.Get(ResourceCatalog.Pods, ns, name) is not { } current || Json.Str(current, "metadata", "uid") != uid) break;
            (lines, finished, changed) = log.Read(previous, read);
            read += lines.Count;
            if (!await WriteAsync(http, lines, timestamps, limit - written, onWritten: w => written += w)) return;
            await http.Response.Body.FlushAsync(http.RequestAborted);
        }
    }

    static DateTime? SinceOf(IQueryCollection query)
    {
        if (long.TryParse(query["sinceSeconds"], out var seconds) && seconds > 0) return DateTime.UtcNow.AddSeconds(-seconds);
        if (query["sinceTime"].FirstOrDefault() is { Length: > 0 } text &&
            DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var time))
            return time;
        return null;
    }

    /// <summary>Writes lines (with RFC 3339 nano timestamps when asked); false once limitBytes is used up.</summary>
    static async Task<bool> WriteAsync(HttpContext http, IEnumerable<LogLine> lines, bool timestamps, long? remaining, Action<long> onWritten)
    {
        foreach (var line in lines)
        {
            var text = timestamps ? $"{Timestamp(line.Time)} {line.Text}" : line.Text;
            var bytes = Encoding.UTF8.GetBytes(text);
            if (remaining is { } r && bytes.Length >= r)
            {
                await http.Response.Body.WriteAsync(bytes.AsMemory(0, (int)Math.Max(0, r)), http.RequestAborted);
                return false;
            }
            await http.Response.Body.WriteAsync(bytes, http.RequestAborted);
            onWritten(bytes.Length);
            if (remaining is not null) remaining -= bytes.Length;
        }
        return true;
    }

    /// <summary>Go's time.RFC3339Nano: fractional seconds without trailing zeros.</summary>
    static string Timestamp(DateTime utc)
    {
        var fraction = utc.ToString("fffffff", CultureInfo.InvariantCulture).TrimEnd('0');
        return utc.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture) + (fraction.Length > 0 ? "." + fraction : "") + "Z";
    }
}
