using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TwisterLab.KubeSim.Store;

/// <summary>Small helpers over System.Text.Json nodes, which are the simulator's object model.</summary>
internal static class Json
{
    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string Serialize(JsonNode? node) => node?.ToJsonString(Options) ?? "null";

    public static JsonObject ParseObject(string text)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(text); }
        catch (JsonException e) { throw Api.ApiException.BadRequest($"invalid JSON body: {e.Message}"); }
        return node as JsonObject ?? throw Api.ApiException.BadRequest("the request body must be a JSON object");
    }

    /// <summary>
    /// Parsed nodes materialise their children lazily, which is not thread-safe. Stored objects are read by
    /// many threads, so walk the tree once before publishing it.
    /// </summary>
    public static T Materialize<T>(T node) where T : JsonNode
    {
        Walk(node);
        return node;

        static void Walk(JsonNode? n)
        {
            switch (n)
            {
                case JsonObject o:
                    foreach (var (_, child) in o) Walk(child);
                    break;
                case JsonArray a:
                    foreach (var child in a) Walk(child);
                    break;
            }
        }
    }

    public static JsonObject Clone(JsonObject o) => (JsonObject)o.DeepClone();

    public static JsonObject Obj(JsonObject parent, string key)
    {
        if (parent[key] is JsonObject existing) return existing;
        var created = new JsonObject();
        parent[key] = created;
        return created;
    }

    public static JsonArray Arr(JsonObject parent, string key)
    {
        if (parent[key] is JsonArray existing) return existing;
        var created = new JsonArray();
        parent[key] = created;
        return created;
    }

    public static string? Str(JsonNode? node, params string[] path)
    {
        var n = Walk(node, path);
        return n is JsonValue v && v.TryGetValue<string>(out var s) ? s : n?.ToString();
    }

    public static long? Long(JsonNode? node, params string[] path)
    {
        var n = Walk(node, path);
        if (n is not JsonValue v) return null;
        if (v.TryGetValue<long>(out var l)) return l;
        if (v.TryGetValue<int>(out var i)) return i;
        if (v.TryGetValue<double>(out var d)) return (long)d;
        if (v.TryGetValue<string>(out var s) && long.TryParse(s, out var p)) return p;
        return null;
    }

    public static int Int(JsonNode? node, int fallback, params string[] path) => (int?)Long(node, path) ?? fallback;

    public static bool Bool(JsonNode? node, params string[] path)
    {
        var n = Walk(node, path);
        return n is JsonValue v && v.TryGetValue<bool>(out var b) && b;
    }

    public static JsonNode? Walk(JsonNode? node, params string[] path)
    {
        foreach (var p in path)
            node = node is JsonObject o ? o[p] : null;
        return node;
    }

    /// <summary>Drops nulls, empty objects and empty arrays, so that two templates compare semantically.</summary>
    public static JsonNode? Prune(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                var result = new JsonObject();
                foreach (var (k, v) in o)
                {
                    var pruned = Prune(v);
                    if (pruned is null || pruned is JsonObject { Count: 0 } || pruned is JsonArray { Count: 0 }) continue;
                    result[k] = pruned;
                }
                return result;
            case JsonArray a:
                return new JsonArray(a.Select(Prune).ToArray());
            default:
                return node?.DeepClone();
        }
    }

    public static string Timestamp(DateTime utc) => utc.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ");

    public static DateTime? ParseTime(string? text) =>
        DateTime.TryParse(text, null, System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
