using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Api;

namespace TwisterLab.KubeSim.Patching;

/// <summary>
/// Strategic merge patch (apimachinery pkg/util/strategicpatch) for the built-in fields we serve: maps merge and
/// null deletes; lists with a merge key merge item by item; other lists are replaced. Directives ($patch,
/// $setElementOrder, $retainKeys, $deleteFromPrimitiveList) are honoured and never stored.
/// </summary>
internal static class StrategicMergePatch
{
    const string SetElementOrder = "$setElementOrder/";
    const string DeleteFromPrimitiveList = "$deleteFromPrimitiveList/";

    public static JsonObject Apply(JsonObject target, JsonObject patch) =>
        MergeObject(target, patch, []) as JsonObject ?? new JsonObject();

    static JsonNode? MergeObject(JsonNode? target, JsonObject patch, List<string> path)
    {
        switch (patch["$patch"]?.ToString())
        {
            case "delete": return null;
            case "replace": return Clean(patch);
        }
        var result = target is JsonObject t ? (JsonObject)t.DeepClone() : new JsonObject();
        foreach (var (key, value) in patch)
        {
            if (key.StartsWith('$')) continue;
            if (value is null) { result.Remove(key); continue; }
            path.Add(key);
            var merged = value switch
            {
                JsonObject o => MergeObject(result[key], o, path),
                JsonArray a => MergeList(result[key] as JsonArray, a, path, key),
                _ => value.DeepClone(),
            };
            path.RemoveAt(path.Count - 1);
            if (merged is null) result.Remove(key);
            else result[key] = merged;
        }
        foreach (var (key, value) in patch)
        {
            if (key.StartsWith(DeleteFromPrimitiveList) && result[key[DeleteFromPrimitiveList.Length..]] is JsonArray list && value is JsonArray remove)
            {
                var drop = remove.Select(r => r?.ToJsonString()).ToHashSet();
                foreach (var item in list.ToArray())
                    if (drop.Contains(item?.ToJsonString())) list.Remove(item);
            }
            if (key.StartsWith(SetElementOrder) && value is JsonArray order)
            {
                var field = key[SetElementOrder.Length..];
                if (result[field] is JsonArray items) result[field] = Reorder(items, order, MergeKeys.For(path, field));
            }
        }
        if (patch["$retainKeys"] is JsonArray retain)
        {
            var keep = retain.Select(k => k?.ToString()).ToHashSet();
            foreach (var key in result.Select(kv => kv.Key).ToArray())
                if (!keep.Contains(key)) result.Remove(key);
        }
        return result;
    }

    static JsonArray MergeList(JsonArray? target, JsonArray patch, List<string> path, string field)
    {
        if (patch.OfType<JsonObject>().Any(o => o["$patch"]?.ToString() == "replace"))
            return new JsonArray(patch.Where(i => !(i is JsonObject o && o["$patch"] is not null)).Select(Clean).ToArray());

        if (MergeKeys.IsSetOfPrimitives(field))
        {
            var union = target is null ? new JsonArray() : (JsonArray)target.DeepClone();
            var seen = union.Select(i => i?.ToJsonString()).ToHashSet();
            foreach (var item in patch)
                if (seen.Add(item?.ToJsonString())) union.Add(item?.DeepClone());
            return union;
        }

        var key = MergeKeys.For(path, field);
        if (key is null || target is null) return new JsonArray(patch.Where(i => !IsDeleteDirective(i)).Select(Clean).ToArray());

        var result = (JsonArray)target.DeepClone();
        foreach (var item in patch)
        {
            if (item is not JsonObject patchItem) continue;
            var id = patchItem[key]?.ToJsonString();
            var index = IndexOf(result, key, id);
            if (IsDeleteDirective(patchItem))
            {
                if (index >= 0) result.RemoveAt(index);
                continue;
            }
            if (index >= 0) result[index] = MergeObject(result[index], patchItem, path);
            else result.Add(Clean(patchItem));
        }
        return result;
    }

    static bool IsDeleteDirective(JsonNode? item) => item is JsonObject o && o["$patch"]?.ToString() == "delete";

    static int IndexOf(JsonArray list, string key, string? id)
    {
        for (var i = 0; i < list.Count; i++)
            if (list[i] is JsonObject o && o[key]?.ToJsonString() == id) return i;
        return -1;
    }

    /// <summary>$setElementOrder: listed items first in the given order, the rest after in their current order.</summary>
    static JsonArray Reorder(JsonArray items, JsonArray order, string? key)
    {
        var remaining = items.Select(i => i?.DeepClone()).ToList();
        var ordered = new List<JsonNode?>();
        foreach (var o in order)
        {
            var match = remaining.FirstOrDefault(i => key is null
                ? i?.ToJsonString() == o?.ToJsonString()
                : i is JsonObject io && io[key]?.ToJsonString() == o?[key]?.ToJsonString());
            if (match is null) continue;
            ordered.Add(match);
            remaining.Remove(match);
        }
        ordered.AddRange(remaining);
        return new JsonArray(ordered.ToArray());
    }

    /// <summary>Removes every directive from a value that is inserted as is.</summary>
    internal static JsonNode? Clean(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Where(kv => !kv.Key.StartsWith('$')).Select(kv => KeyValuePair.Create(kv.Key, Clean(kv.Value)))),
        JsonArray a => new JsonArray(a.Select(Clean).ToArray()),
        _ => node?.DeepClone(),
    };
}
