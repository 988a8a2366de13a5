using System.Text;
using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Api;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Exec;

/// <summary>The environment of a container, for exec and for the containers the simulator runs.</summary>
internal static class PodEnvironment
{
    /// <summary>The container environment as the kubelet would build it: envFrom first, then env, references resolved.</summary>
    public static Dictionary<string, string> Of(ObjectStore store, JsonObject pod, JsonObject container)
    {
        var ns = Json.Str(pod, "metadata", "namespace");
        // The runtime sets HOSTNAME to the pod's hostname (its name unless spec.hostname says otherwise); env may override it.
        var env = new Dictionary<string, string> { ["HOSTNAME"] = Json.Str(pod, "spec", "hostname") ?? Json.Str(pod, "metadata", "name") ?? "" };
        if (container["envFrom"] is JsonArray envFrom)
            foreach (var source in envFrom.OfType<JsonObject>())
            {
                var prefix = Json.Str(source, "prefix") ?? "";
                if (Json.Str(source, "secretRef", "name") is { } secret)
                    foreach (var (k, v) in DataOf(store, ResourceCatalog.Secrets, ns, secret)) env[prefix + k] = v;
                if (Json.Str(source, "configMapRef", "name") is { } configMap)
                    foreach (var (k, v) in DataOf(store, ResourceCatalog.ConfigMaps, ns, configMap)) env[prefix + k] = v;
            }
        if (container["env"] is JsonArray list)
            foreach (var item in list.OfType<JsonObject>())
            {
                var name = Json.Str(item, "name");
                if (name is null) continue;
                var value = Json.Str(item, "value")
                    ?? (Json.Walk(item, "valueFrom", "secretKeyRef") is JsonObject s ? DataOf(store, ResourceCatalog.Secrets, ns, Json.Str(s, "name") ?? "").GetValueOrDefault(Json.Str(s, "key") ?? "") : null)
                    ?? (Json.Walk(item, "valueFrom", "configMapKeyRef") is JsonObject c ? DataOf(store, ResourceCatalog.ConfigMaps, ns, Json.Str(c, "name") ?? "").GetValueOrDefault(Json.Str(c, "key") ?? "") : null)
                    ?? (Json.Str(item, "valueFrom", "fieldRef", "fieldPath") is { } path ? FieldOf(pod, path) : null);
                if (value is not null) env[name] = value;
            }
        return env;
    }

    static Dictionary<string, string> DataOf(ObjectStore store, ResourceType type, string? ns, string name)
    {
        var obj = store.Get(type, ns, name);
        var data = LabelSelector.StringMap(obj?["data"]);
        if (type == ResourceCatalog.Secrets)
            foreach (var key in data.Keys.ToList())
            {
                try { data[key] = Encoding.UTF8.GetString(Convert.FromBase64String(data[key])); }
                catch (FormatException) { }
            }
        return data;
    }

    static string? FieldOf(JsonObject pod, string path) => path switch
    {
        "metadata.name" => Json.Str(pod, "metadata", "name"),
        "metadata.namespace" => Json.Str(pod, "metadata", "namespace"),
        "spec.nodeName" => Json.Str(pod, "spec", "nodeName"),
        "status.podIP" => Json.Str(pod, "status", "podIP"),
        "status.hostIP" => Json.Str(pod, "status", "hostIP"),
        _ => null,
    };

}
