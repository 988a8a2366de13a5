using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Patching;

/// <summary>
/// Server-side apply, simplified: the applied configuration is merged into the live object (keyed lists merge by
/// their key, other lists and label selectors are atomic), the manager's field set is recorded in
/// metadata.managedFields (FieldsV1), and fields this manager applied before but omits now are removed.
/// Ownership conflicts between managers are not detected (a real apiserver answers 409 without force=true).
/// </summary>
internal static class ServerSideApply
{
    static readonly HashSet<string> IdentityFields = ["apiVersion", "kind"];
    static readonly HashSet<string> ServerOwnedMetadata = ["name", "namespace", "uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "deletionTimestamp"];

    public static JsonObject Apply(JsonObject live, JsonObject applied, string manager, string apiVersion)
    {
        var previous = PreviousFieldSet(live, manager);
        var fields = FieldSet(applied, []);
        var merged = (JsonObject)Merge(live, applied, [], "")!;
        if (previous is not null) RemoveDropped(merged, previous, fields);
        RecordManager(merged, manager, apiVersion, fields);
        return merged;
    }

    /// <summary>The object a first apply creates: the configuration itself, with its managedFields entry.</summary>
    public static JsonObject Create(JsonObject applied, string manager, string apiVersion)
    {
        var created = (JsonObject)StrategicMergePatch.Clean(applied)!;
        RecordManager(created, manager, apiVersion, FieldSet(applied, []));
        return created;
    }

    static JsonObject? PreviousFieldSet(JsonObject live, string manager) =>
        (Json.Walk(live, "metadata", "managedFields") as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(e => Json.Str(e, "manager") == manager && Json.Str(e, "operation") == "Apply")?["fieldsV1"] as JsonObject;

    static void RecordManager(JsonObject obj, string manager, string apiVersion, JsonObject fields)
    {
        var entries = Json.Arr(Json.Obj(obj, "metadata"), "managedFields");
        foreach (var old in entries.OfType<JsonObject>().Where(e => Json.Str(e, "manager") == manager && Json.Str(e, "operation") == "Apply").ToArray())
            entries.Remove(old);
        entries.Add(new JsonObject
        {
            ["manager"] = manager,
            ["operation"] = "Apply",
            ["apiVersion"] = apiVersion,
            ["time"] = Json.Timestamp(DateTime.UtcNow),
            ["fieldsType"] = "FieldsV1",
            ["fieldsV1"] = fields,
        });
    }

    static bool IsAtomicMap(string field) => field is "selector";

    static JsonNode? Merge(JsonNode? live, JsonNode? applied, List<string> path, string field)
    {
        switch (applied)
        {
            case JsonObject a when !IsAtomicMap(field) || path.Count == 0:
                var result = live is JsonObject l ? (JsonObject)l.DeepClone() : new JsonObject();
                foreach (var (key, value) in a)
                {
                    if (path.Count == 1 && path[0] == "metadata" && key == "managedFields") continue;
                    path.Add(key);
                    var merged = Merge(result[key], value, path, key);
                    path.RemoveAt(path.Count - 1);
                    if (merged is null) result.Remove(key);
                    else result[key] = merged;
                }
                return result;
            case JsonArray list:
                var mergeKey = MergeKeys.For(path, field);
                if (mergeKey is null || live is not JsonArray liveList) return list.DeepClone();
                var items = (JsonArray)liveList.DeepClone();
                foreach (var item in list.OfType<JsonObject>())
                {
                    var id = item[mergeKey]?.ToJsonString();
                    var index = items.ToList().FindIndex(i => i is JsonObject o && o[mergeKey]?.ToJsonString() == id);
                    if (index >= 0) items[index] = Merge(items[index], item, path, field);
                    else items.Add(item.DeepClone());
                }
                return items;
            default:
                return applied?.DeepClone();
        }
    }

    /// <summary>The FieldsV1 set of a configuration: "f:name" for fields, "k:{...}" for keyed list items.</summary>
    static JsonObject FieldSet(JsonObject obj, List<string> path)
    {
        var set = new JsonObject();
        foreach (var (key, value) in obj)
        {
            if (path.Count == 0 && IdentityFields.Contains(key)) continue;
            if (path.Count == 1 && path[0] == "metadata" && ServerOwnedMetadata.Contains(key)) continue;
            path.Add(key);
            set["f:" + key] = value switch
            {
                JsonObject o when !IsAtomicMap(key) => FieldSet(o, path),
                JsonArray a when MergeKeys.For(path[..^1], key) is { } mergeKey => ListFieldSet(a, mergeKey, path),
                _ => new JsonObject(),
            };
            path.RemoveAt(path.Count - 1);
        }
        return set;
    }

    static JsonObject ListFieldSet(JsonArray list, string mergeKey, List<string> path)
    {
        var set = new JsonObject();
        foreach (var item in list.OfType<JsonObject>())
        {
            var itemSet = FieldSet(item, path);
            itemSet["."] = new JsonObject();
            set[ItemKey(mergeKey, item[mergeKey])] = itemSet;
        }
        return set;
    }

    static string ItemKey(string mergeKey, JsonNode? value) => $"k:{{\"{mergeKey}\":{value?.ToJsonString() ?? "null"}}}";

    /// <summary>Removes from <paramref name="live"/> what the previous set owned and the new set no longer names.</summary>
    static void RemoveDropped(JsonNode? live, JsonObject previous, JsonObject current)
    {
        foreach (var (entry, children) in previous)
        {
            if (entry == ".") continue;
            var stillOwned = current[entry] as JsonObject;
            if (entry.StartsWith("f:") && live is JsonObject o)
            {
                var field = entry[2..];
                if (stillOwned is null) o.Remove(field);
                else if (children is JsonObject { Count: > 0 } c) RemoveDropped(o[field], c, stillOwned);
            }
            else if (entry.StartsWith("k:") && live is JsonArray list)
            {
                var key = JsonNode.Parse(entry[2..]) as JsonObject;
                var (name, value) = key!.First();
                var item = list.FirstOrDefault(i => i is JsonObject io && io[name]?.ToJsonString() == value?.ToJsonString());
                if (item is null) continue;
                if (stillOwned is null) list.Remove(item);
                else if (children is JsonObject c) RemoveDropped(item, c, stillOwned);
            }
        }
    }
}
