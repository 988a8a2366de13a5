using System.Text.Json.Nodes;

namespace TwisterLab.KubeSim.Patching;

/// <summary>
/// Field sets in the FieldsV1 format of metadata.managedFields: nested objects whose keys are "f:name" for fields,
/// "k:{json}" for items of keyed lists, and "." for the item itself. A path is the list of those keys.
/// Lists without a merge key and label selectors are atomic (a leaf).
/// </summary>
internal static class FieldSets
{
    static readonly HashSet<string> IdentityFields = ["apiVersion", "kind", "status"];
    static readonly HashSet<string> ServerOwnedMetadata = ["name", "namespace", "uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "deletionTimestamp", "deletionGracePeriodSeconds", "generateName"];

    public static bool IsAtomicMap(string field) => field is "selector";

    public static JsonObject Of(JsonObject obj) => Build(obj, []);

    static JsonObject Build(JsonObject obj, List<string> path)
    {
        var set = new JsonObject();
        foreach (var (key, value) in obj)
        {
            if (value is null) continue;
            if (path.Count == 0 && IdentityFields.Contains(key)) continue;
            if (path.Count == 1 && path[0] == "metadata" && ServerOwnedMetadata.Contains(key)) continue;
            path.Add(key);
            var child = value switch
            {
                JsonObject o when !IsAtomicMap(key) => Build(o, path),
                JsonArray a when MergeKeys.For(path[..^1], key) is { } mergeKey => BuildList(a, mergeKey, path),
                _ => new JsonObject(),
            };
            path.RemoveAt(path.Count - 1);
            // A map whose every field is server-owned (metadata holding only name and namespace) is no field of the
            // applier: upstream strips those paths, leaving no .metadata leaf to conflict with labels or annotations.
            if (value is JsonObject { Count: > 0 } && child.Count == 0 && !IsAtomicMap(key)) continue;
            set["f:" + key] = child;
        }
        return set;
    }

    static JsonObject BuildList(JsonArray list, string mergeKey, List<string> path)
    {
        var set = new JsonObject();
        foreach (var item in list.OfType<JsonObject>())
        {
            var itemSet = Build(item, path);
            itemSet["."] = new JsonObject();
            set[ItemKey(mergeKey, item[mergeKey])] = itemSet;
        }
        return set;
    }

    public static string ItemKey(string mergeKey, JsonNode? value) => $"k:{{\"{mergeKey}\":{value?.ToJsonString() ?? "null"}}}";

    /// <summary>The leaves of a set: the fields a manager owns ("." entries excluded).</summary>
    public static List<string[]> Leaves(JsonObject set)
    {
        var leaves = new List<string[]>();
        Walk(set, []);
        return leaves;

        void Walk(JsonObject node, List<string> prefix)
        {
            foreach (var (key, child) in node)
            {
                if (key == ".") continue;
                prefix.Add(key);
                if (child is JsonObject c && c.Any(kv => kv.Key != ".")) Walk(c, prefix);
                else leaves.Add(prefix.ToArray());
                prefix.RemoveAt(prefix.Count - 1);
            }
        }
    }

    public static bool Contains(JsonObject set, string[] path)
    {
        JsonNode? node = set;
        foreach (var key in path)
        {
            if (node is not JsonObject o || !o.ContainsKey(key)) return false;
            node = o[key];
        }
        return true;
    }

    public static bool TryValueAt(JsonNode? obj, string[] path, out JsonNode? value)
    {
        value = obj;
        foreach (var key in path)
        {
            if (key.StartsWith("f:") && value is JsonObject o && o.ContainsKey(key[2..]))
                value = o[key[2..]];
            else if (key.StartsWith("k:") && value is JsonArray list && JsonNode.Parse(key[2..]) is JsonObject id && id.Count == 1)
            {
                var (name, expected) = id.First();
                value = list.FirstOrDefault(i => i is JsonObject io && io[name]?.ToJsonString() == expected?.ToJsonString());
                if (value is null) return false;
            }
            else
            {
                value = null;
                return false;
            }
        }
        return true;
    }

    public static void Add(JsonObject set, string[] path)
    {
        var node = set;
        foreach (var key in path)
        {
            if (node[key] is not JsonObject child)
            {
                child = key.StartsWith("k:") ? new JsonObject { ["."] = new JsonObject() } : new JsonObject();
                node[key] = child;
            }
            node = child;
        }
    }

    /// <summary>Removes a leaf and the parents it leaves empty (or holding only ".").</summary>
    public static void Remove(JsonObject set, string[] path)
    {
        if (path.Length == 0 || set[path[0]] is not JsonObject child) return;
        if (path.Length == 1) { set.Remove(path[0]); return; }
        Remove(child, path[1..]);
        if (child.All(kv => kv.Key == ".")) set.Remove(path[0]);
    }

    /// <summary>The path as the apiserver prints it in conflicts: .spec.template.spec.containers[name="web"].image</summary>
    public static string Describe(string[] path) => string.Concat(path.Select(key =>
    {
        if (key.StartsWith("f:")) return "." + key[2..];
        var id = JsonNode.Parse(key[2..]) as JsonObject;
        return $"[{string.Join(",", id!.Select(kv => $"{kv.Key}={kv.Value?.ToJsonString()}"))}]";
    }));
}
