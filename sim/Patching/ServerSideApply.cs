using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Api;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Patching;

/// <summary>
/// Server-side apply and field ownership (metadata.managedFields), for the built-in fields we serve:
/// the applied configuration is merged into the live object (keyed lists by key; other lists and label selectors
/// are atomic). An apply that would change a field another manager owns is a 409 conflict unless forced, which
/// takes the ownership over. Fields the applier owned before and omits now are removed. Ordinary writes (create,
/// update, patch) record their manager's "Update" entry with the fields they changed.
/// </summary>
internal static class ServerSideApply
{
    public static JsonObject Apply(ResourceType type, JsonObject live, JsonObject applied, string manager, bool force)
    {
        var fields = FieldSets.Of(applied);
        var entries = Entries(live);
        TakeOverConflicts(type, live, applied, fields, manager, force, entries);
        var previous = entries.FirstOrDefault(e => IsApplyOf(e, manager))?["fieldsV1"] as JsonObject;
        var merged = (JsonObject)Merge(live, applied, [], "")!;
        if (previous is not null) RemoveDropped(merged, previous, fields);
        RecordApply(merged, manager, type.ApiVersion, fields);
        PruneMissing(merged);
        return merged;
    }

    /// <summary>The object a first apply creates: the configuration itself, with its managedFields entry.</summary>
    public static JsonObject Create(JsonObject applied, string manager, string apiVersion)
    {
        var created = (JsonObject)StrategicMergePatch.Clean(applied)!;
        Json.Obj(created, "metadata").Remove("managedFields");
        RecordApply(created, manager, apiVersion, FieldSets.Of(created));
        return created;
    }

    /// <summary>After a create, update or patch: the manager now owns every field it changed, and nobody else does.</summary>
    public static void RecordUpdate(JsonObject next, JsonObject? old, string manager, string apiVersion)
    {
        var changed = FieldSets.Leaves(FieldSets.Of(next)).Where(path =>
            old is null
            || !FieldSets.TryValueAt(old, path, out var before)
            || !(FieldSets.TryValueAt(next, path, out var after) && JsonNode.DeepEquals(before, after))).ToList();
        var entries = Entries(next);
        if (changed.Count > 0)
        {
            foreach (var entry in entries.OfType<JsonObject>().Where(e => !IsUpdateOf(e, manager)))
                foreach (var path in changed)
                    if (entry["fieldsV1"] is JsonObject set) FieldSets.Remove(set, path);
            var mine = entries.OfType<JsonObject>().FirstOrDefault(e => IsUpdateOf(e, manager));
            if (mine is null)
            {
                mine = Entry(manager, "Update", apiVersion, new JsonObject());
                entries.Add(mine);
            }
            mine["time"] = Json.Timestamp(DateTime.UtcNow);
            foreach (var path in changed) FieldSets.Add((JsonObject)mine["fieldsV1"]!, path);
        }
        PruneMissing(next);
    }

    static void TakeOverConflicts(ResourceType type, JsonObject live, JsonObject applied, JsonObject fields, string manager, bool force, JsonArray entries)
    {
        var conflicts = new List<(JsonObject Entry, string[] Path)>();
        foreach (var path in FieldSets.Leaves(fields))
        {
            if (!FieldSets.TryValueAt(live, path, out var current)) continue;
            FieldSets.TryValueAt(applied, path, out var wanted);
            if (JsonNode.DeepEquals(current, wanted)) continue;   // same value: shared ownership, no conflict
            foreach (var entry in entries.OfType<JsonObject>().Where(e => !IsApplyOf(e, manager)))
                if (entry["fieldsV1"] is JsonObject set && FieldSets.Contains(set, path))
                    conflicts.Add((entry, path));
        }
        if (conflicts.Count == 0) return;
        if (force)
        {
            foreach (var (entry, path) in conflicts) FieldSets.Remove((JsonObject)entry["fieldsV1"]!, path);
            return;
        }
        var causes = conflicts.Select(c => (JsonNode)new JsonObject
        {
            ["reason"] = "FieldManagerConflict",
            ["message"] = $"conflict with \"{Json.Str(c.Entry, "manager")}\" using {Json.Str(c.Entry, "apiVersion")}",
            ["field"] = FieldSets.Describe(c.Path),
        }).ToArray();
        var text = string.Join("\n", conflicts.Select(c => $"- conflict with \"{Json.Str(c.Entry, "manager")}\" using {Json.Str(c.Entry, "apiVersion")}: {FieldSets.Describe(c.Path)}"));
        throw new ApiException(409, "Conflict",
            $"Apply failed with {conflicts.Count} conflict{(conflicts.Count == 1 ? "" : "s")}: {(conflicts.Count == 1 ? text[2..] : "\n" + text)}",
            new JsonObject
            {
                ["name"] = Json.Str(live, "metadata", "name"),
                ["group"] = type.Group,
                ["kind"] = type.Plural,
                ["causes"] = new JsonArray(causes),
            });
    }

    static JsonArray Entries(JsonObject obj) => Json.Arr(Json.Obj(obj, "metadata"), "managedFields");

    static bool IsApplyOf(JsonNode? e, string manager) => Json.Str(e, "manager") == manager && Json.Str(e, "operation") == "Apply";

    static bool IsUpdateOf(JsonNode? e, string manager) => Json.Str(e, "manager") == manager && Json.Str(e, "operation") == "Update";

    static JsonObject Entry(string manager, string operation, string apiVersion, JsonObject fields) => new()
    {
        ["manager"] = manager,
        ["operation"] = operation,
        ["apiVersion"] = apiVersion,
        ["time"] = Json.Timestamp(DateTime.UtcNow),
        ["fieldsType"] = "FieldsV1",
        ["fieldsV1"] = fields,
    };

    static void RecordApply(JsonObject obj, string manager, string apiVersion, JsonObject fields)
    {
        var entries = Entries(obj);
        foreach (var old in entries.Where(e => IsApplyOf(e, manager)).ToArray()) entries.Remove(old);
        entries.Add(Entry(manager, "Apply", apiVersion, fields));
    }

    /// <summary>Drops owned paths whose field no longer exists, then entries that own nothing.</summary>
    static void PruneMissing(JsonObject obj)
    {
        var meta = Json.Obj(obj, "metadata");
        if (meta["managedFields"] is not JsonArray entries) return;
        foreach (var entry in entries.OfType<JsonObject>().ToArray())
        {
            if (entry["fieldsV1"] is not JsonObject set) continue;
            foreach (var path in FieldSets.Leaves(set))
                if (!FieldSets.TryValueAt(obj, path, out _)) FieldSets.Remove(set, path);
            if (set.Count == 0) entries.Remove(entry);
        }
        if (entries.Count == 0) meta.Remove("managedFields");
    }

    static JsonNode? Merge(JsonNode? live, JsonNode? applied, List<string> path, string field)
    {
        switch (applied)
        {
            case JsonObject a when !FieldSets.IsAtomicMap(field) || path.Count == 0:
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
