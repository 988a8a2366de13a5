using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Api;

namespace TwisterLab.KubeSim.Store;

/// <summary>
/// One committed change. Objects are frozen once stored (never mutated again), so events can be shared by all
/// watchers and serialized once, lazily, outside the store lock.
/// </summary>
internal sealed class StoredEvent(string type, ResourceType resource, JsonObject obj, JsonObject? previous, long resourceVersion)
{
    readonly Lazy<string> json = new(() => Json.Serialize(obj), LazyThreadSafetyMode.ExecutionAndPublication);

    public string Type { get; } = type;
    public ResourceType Resource { get; } = resource;
    public JsonObject Object { get; } = obj;
    public JsonObject? Previous { get; } = previous;
    public long ResourceVersion { get; } = resourceVersion;
    public string Namespace => Json.Str(Object, "metadata", "namespace") ?? "";
    public string ObjectJson => json.Value;
}

/// <summary>A line of a watch stream: the event type as this watcher sees it (selectors can turn MODIFIED into ADDED/DELETED).</summary>
internal readonly record struct WatchLine(string Type, StoredEvent Event)
{
    public string ToJson() => $"{{\"type\":\"{Type}\",\"object\":{Event.ObjectJson}}}";
}
