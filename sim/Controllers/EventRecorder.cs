using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Api;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Controllers;

/// <summary>
/// Writes core/v1 Events as the controllers and the kubelet do (what kubectl describe shows). A repeat of the same
/// reason and message for the same object bumps count and lastTimestamp instead of adding an event, like client-go's
/// correlator; the oldest events go once there are too many, standing in for the apiserver's event TTL.
/// </summary>
internal sealed class EventRecorder(Registry registry)
{
    const int MaxEvents = 2000;
    readonly ConcurrentDictionary<string, (string Namespace, string Name)> byKey = new();
    readonly ConcurrentQueue<(string Key, string Namespace, string Name)> order = new();
    long sequence;

    public void Normal(JsonObject involved, string component, string reason, string message) => Record(involved, component, "Normal", reason, message);

    public void Warning(JsonObject involved, string component, string reason, string message) => Record(involved, component, "Warning", reason, message);

    void Record(JsonObject involved, string component, string type, string reason, string message)
    {
        var ns = Json.Str(involved, "metadata", "namespace") ?? "default";
        var uid = Json.Str(involved, "metadata", "uid") ?? "";
        var key = $"{uid}|{reason}|{message}";
        var now = Json.Timestamp(DateTime.UtcNow);
        try
        {
            if (byKey.TryGetValue(key, out var existing) && registry.Store.Get(ResourceCatalog.Events, existing.Namespace, existing.Name) is not null)
            {
                registry.Store.Mutate(ResourceCatalog.Events, existing.Namespace, existing.Name, e =>
                {
                    e["count"] = (Json.Long(e, "count") ?? 1) + 1;
                    e["lastTimestamp"] = now;
                    return e;
                });
                return;
            }
            var name = $"{Json.Str(involved, "metadata", "name")}.{DateTime.UtcNow.Ticks:x}{Interlocked.Increment(ref sequence):x}";
            registry.Create(ResourceCatalog.Events, ns, new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Event",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns },
                ["involvedObject"] = new JsonObject
                {
                    ["apiVersion"] = Json.Str(involved, "apiVersion"),
                    ["kind"] = Json.Str(involved, "kind"),
                    ["namespace"] = Json.Str(involved, "metadata", "namespace"),
                    ["name"] = Json.Str(involved, "metadata", "name"),
                    ["uid"] = uid,
                    ["resourceVersion"] = Json.Str(involved, "metadata", "resourceVersion"),
                },
                ["reason"] = reason,
                ["message"] = message,
                ["source"] = new JsonObject { ["component"] = component },
                ["firstTimestamp"] = now,
                ["lastTimestamp"] = now,
                ["count"] = 1,
                ["type"] = type,
                ["reportingComponent"] = component,
                ["reportingInstance"] = "",
            });
            byKey[key] = (ns, name);
            order.Enqueue((key, ns, name));
            while (order.Count > MaxEvents && order.TryDequeue(out var oldest))
            {
                byKey.TryRemove(oldest.Key, out _);
                registry.Store.Remove(ResourceCatalog.Events, oldest.Namespace, oldest.Name);
            }
        }
        catch (ApiException)
        {
            // Events are best effort, as in Kubernetes (e.g. the namespace is being deleted).
        }
    }
}
