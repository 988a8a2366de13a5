using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Api;

namespace TwisterLab.KubeSim.Patching;

/// <summary>RFC 6902 JSON patch: add, remove, replace, move, copy, test; "-" appends; ~0 and ~1 escapes.</summary>
internal static class JsonPatch
{
    public static JsonNode Apply(JsonNode target, JsonArray operations)
    {
        var doc = target.DeepClone();
        foreach (var op in operations.OfType<JsonObject>())
        {
            var path = op["path"]?.ToString() ?? throw ApiException.BadRequest("json patch operation without a path");
            switch (op["op"]?.ToString())
            {
                case "add": doc = Add(doc, path, op["value"]?.DeepClone()); break;
                case "remove": doc = Remove(doc, path, out _); break;
                case "replace":
                    doc = Remove(doc, path, out _);
                    doc = Add(doc, path, op["value"]?.DeepClone());
                    break;
                case "move":
                    doc = Remove(doc, From(op), out var moved);
                    doc = Add(doc, path, moved);
                    break;
                case "copy": doc = Add(doc, path, Get(doc, From(op))?.DeepClone()); break;
                case "test":
                    if (!JsonNode.DeepEquals(Get(doc, path), op["value"]))
                        throw new ApiException(422, "Invalid", $"the test operation on {path} failed");
                    break;
                default: throw ApiException.BadRequest($"unknown json patch operation \"{op["op"]}\"");
            }
        }
        return doc;
    }

    static string From(JsonObject op) => op["from"]?.ToString() ?? throw ApiException.BadRequest("json patch move/copy without from");

    static string[] Tokens(string path) =>
        path.Length == 0 ? [] : path[1..].Split('/').Select(t => t.Replace("~1", "/").Replace("~0", "~")).ToArray();

    static JsonNode? Get(JsonNode? doc, string path)
    {
        foreach (var token in Tokens(path))
            doc = doc switch
            {
                JsonObject o when o.ContainsKey(token) => o[token],
                JsonArray a when int.TryParse(token, out var i) && i >= 0 && i < a.Count => a[i],
                _ => throw Missing(path),
            };
        return doc;
    }

    static JsonNode Add(JsonNode doc, string path, JsonNode? value)
    {
        var tokens = Tokens(path);
        if (tokens.Length == 0) return value ?? throw ApiException.BadRequest("cannot replace the document with null");
        var parent = Get(doc, ParentPath(tokens));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o: o[last] = value; break;
            case JsonArray a when last == "-": a.Add(value); break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i <= a.Count: a.Insert(i, value); break;
            default: throw Missing(path);
        }
        return doc;
    }

    static JsonNode Remove(JsonNode doc, string path, out JsonNode? removed)
    {
        var tokens = Tokens(path);
        if (tokens.Length == 0) throw ApiException.BadRequest("cannot remove the whole document");
        var parent = Get(doc, ParentPath(tokens));
        var last = tokens[^1];
        switch (parent)
        {
            case JsonObject o when o.ContainsKey(last):
                removed = o[last];
                o.Remove(last);
                break;
            case JsonArray a when int.TryParse(last, out var i) && i >= 0 && i < a.Count:
                removed = a[i];
                a.RemoveAt(i);
                break;
            default: throw Missing(path);
        }
        return doc;
    }

    static string ParentPath(string[] tokens) =>
        tokens.Length == 1 ? "" : "/" + string.Join('/', tokens[..^1].Select(Escape));

    static string Escape(string token) => token.Replace("~", "~0").Replace("/", "~1");

    static ApiException Missing(string path) =>
        new(422, "Invalid", $"the server rejected our request due to an error in our request: path {path} does not exist");
}
