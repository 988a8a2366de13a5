using System.Text.Json.Nodes;

namespace TwisterLab.KubeSim.Api;

/// <summary>One requirement of a label selector: key op values (=, ==, !=, in, notin, exists, !key).</summary>
internal sealed record LabelRequirement(string Key, string Op, string[] Values)
{
    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        var has = labels.TryGetValue(Key, out var value);
        return Op switch
        {
            "=" or "==" or "In" or "in" => has && Values.Contains(value),
            "!=" => !has || !Values.Contains(value),
            "NotIn" or "notin" => !has || !Values.Contains(value),
            "Exists" or "exists" => has,
            "DoesNotExist" or "!" => !has,
            _ => false,
        };
    }
}

/// <summary>Label selectors in both forms: the query-string syntax and the metav1.LabelSelector object.</summary>
internal sealed class LabelSelector
{
    readonly List<LabelRequirement> requirements;

    LabelSelector(List<LabelRequirement> requirements) => this.requirements = requirements;

    public static readonly LabelSelector Everything = new([]);

    /// <summary>A LabelSelector object that is null selects nothing; an empty one selects everything (as in the API).</summary>
    public bool SelectsNothing { get; private init; }

    public bool IsEmpty => requirements.Count == 0 && !SelectsNothing;

    public bool Matches(JsonNode? obj) => Matches(Labels(obj));

    public bool Matches(IReadOnlyDictionary<string, string> labels) =>
        !SelectsNothing && requirements.All(r => r.Matches(labels));

    public static Dictionary<string, string> Labels(JsonNode? obj) => StringMap(obj?["metadata"]?["labels"]);

    public static Dictionary<string, string> StringMap(JsonNode? node)
    {
        var map = new Dictionary<string, string>();
        if (node is JsonObject o)
            foreach (var (k, v) in o)
                if (v is not null) map[k] = v.ToString();
        return map;
    }

    public static LabelSelector FromObject(JsonNode? selector)
    {
        if (selector is not JsonObject o) return new LabelSelector([]) { SelectsNothing = true };
        var list = new List<LabelRequirement>();
        foreach (var (k, v) in StringMap(o["matchLabels"]))
            list.Add(new LabelRequirement(k, "=", [v]));
        if (o["matchExpressions"] is JsonArray expressions)
            foreach (var e in expressions.OfType<JsonObject>())
                list.Add(new LabelRequirement(
                    e["key"]?.ToString() ?? "",
                    e["operator"]?.ToString() ?? "",
                    (e["values"] as JsonArray)?.Select(x => x?.ToString() ?? "").ToArray() ?? []));
        return new LabelSelector(list);
    }

    /// <summary>A map selector (Service.spec.selector): an empty or missing map selects nothing, as for services.</summary>
    public static LabelSelector FromMap(JsonNode? map)
    {
        var labels = StringMap(map);
        if (labels.Count == 0) return new LabelSelector([]) { SelectsNothing = true };
        return new LabelSelector(labels.Select(kv => new LabelRequirement(kv.Key, "=", [kv.Value])).ToList());
    }

    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return Everything;
        var list = new List<LabelRequirement>();
        foreach (var term in SplitTopLevel(text))
        {
            var t = term.Trim();
            if (t.Length == 0) continue;
            var setMatch = System.Text.RegularExpressions.Regex.Match(t, @"^(\S+)\s+(in|notin)\s*\((.*)\)$");
            if (setMatch.Success)
            {
                var values = setMatch.Groups[3].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                list.Add(new LabelRequirement(setMatch.Groups[1].Value, setMatch.Groups[2].Value, values));
            }
            else if (t.Contains("!=")) list.Add(Binary(t, "!="));
            else if (t.Contains("==")) list.Add(Binary(t, "=="));
            else if (t.Contains('=')) list.Add(Binary(t, "="));
            else if (t.StartsWith('!')) list.Add(new LabelRequirement(t[1..].Trim(), "!", []));
            else list.Add(new LabelRequirement(t, "exists", []));
        }
        return new LabelSelector(list);
    }

    /// <summary>The selector in query-string form, as Scale.status.selector shows it.</summary>
    public static string ToQueryString(JsonNode? selector)
    {
        var parts = new List<string>();
        foreach (var (k, v) in StringMap(selector?["matchLabels"]).OrderBy(kv => kv.Key, StringComparer.Ordinal))
            parts.Add($"{k}={v}");
        if (selector?["matchExpressions"] is JsonArray expressions)
            foreach (var e in expressions.OfType<JsonObject>())
            {
                var key = e["key"]?.ToString();
                var values = string.Join(",", (e["values"] as JsonArray)?.Select(x => x?.ToString()) ?? []);
                parts.Add(e["operator"]?.ToString() switch
                {
                    "In" => $"{key} in ({values})",
                    "NotIn" => $"{key} notin ({values})",
                    "Exists" => key!,
                    _ => $"!{key}",
                });
            }
        return string.Join(",", parts);
    }

    static LabelRequirement Binary(string term, string op)
    {
        var i = term.IndexOf(op, StringComparison.Ordinal);
        return new LabelRequirement(term[..i].Trim(), op, [term[(i + op.Length)..].Trim()]);
    }

    /// <summary>Splits on commas that are not inside the parentheses of an in/notin set.</summary>
    static IEnumerable<string> SplitTopLevel(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '(') depth++;
            else if (text[i] == ')') depth--;
            else if (text[i] == ',' && depth == 0)
            {
                yield return text[start..i];
                start = i + 1;
            }
        }
        yield return text[start..];
    }
}

/// <summary>Field selectors: metadata.name, metadata.namespace and any other dotted path (spec.nodeName, status.phase ...).</summary>
internal sealed class FieldSelector
{
    readonly List<(string Path, bool Equal, string Value)> terms;

    FieldSelector(List<(string, bool, string)> terms) => this.terms = terms;

    public static FieldSelector Parse(string? text)
    {
        var terms = new List<(string, bool, string)>();
        if (!string.IsNullOrWhiteSpace(text))
            foreach (var raw in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var notEqual = raw.Contains("!=");
                var op = notEqual ? "!=" : raw.Contains("==") ? "==" : "=";
                var i = raw.IndexOf(op, StringComparison.Ordinal);
                if (i < 0) throw ApiException.BadRequest($"invalid field selector: '{raw}'");
                terms.Add((raw[..i].Trim(), !notEqual, raw[(i + op.Length)..].Trim()));
            }
        return new FieldSelector(terms);
    }

    public bool Matches(JsonNode? obj) => terms.All(t => (Value(obj, t.Path) == t.Value) == t.Equal);

    static string Value(JsonNode? obj, string path)
    {
        JsonNode? node = obj;
        foreach (var part in path.Split('.'))
            node = node is JsonObject o ? o[part] : null;
        return node?.ToString() ?? "";
    }
}
