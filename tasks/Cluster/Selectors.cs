using System.Text.Json.Nodes;
using k8s;
using k8s.Models;

namespace TwisterLab.Cake.Cluster;

internal static class Selectors
{
    /// <summary>A LabelSelector as the labelSelector query string (matchLabels, then matchExpressions).</summary>
    public static string ToQuery(V1LabelSelector? selector)
    {
        var parts = new List<string>();
        foreach (var (key, value) in selector?.MatchLabels ?? new Dictionary<string, string>())
        {
            parts.Add($"{key}={value}");
        }

        foreach (var expression in selector?.MatchExpressions ?? [])
        {
            parts.Add(expression.OperatorProperty switch
            {
                "In" => $"{expression.Key} in ({string.Join(",", expression.Values ?? [])})",
                "NotIn" => $"{expression.Key} notin ({string.Join(",", expression.Values ?? [])})",
                "Exists" => expression.Key,
                "DoesNotExist" => "!" + expression.Key,
                var other => throw new ClusterException($"Unknown label selector operator '{other}'."),
            });
        }

        return string.Join(",", parts);
    }

    public static string ToQuery(IDictionary<string, string> labels) =>
        string.Join(",", labels.OrderBy(pair => pair.Key, StringComparer.Ordinal).Select(pair => $"{pair.Key}={pair.Value}"));

    public static bool Matches(IDictionary<string, string>? selector, IDictionary<string, string>? labels) =>
        selector is { Count: > 0 } && selector.All(pair => labels?.TryGetValue(pair.Key, out var value) == true && value == pair.Value);

    /// <summary>A KubernetesClient model as a JSON tree (camelCase, nulls dropped), for patches and comparisons.</summary>
    public static JsonNode ToNode(object model) => JsonNode.Parse(KubernetesJson.Serialize(model))!;

    public static string Json(IDictionary<string, string> map) =>
        new JsonObject(map.OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => KeyValuePair.Create(pair.Key, (JsonNode?)JsonValue.Create(pair.Value)))).ToJsonString();
}

internal static class MapExtensions
{
    public static string? Get(this IDictionary<string, string>? map, string key) =>
        map is not null && map.TryGetValue(key, out var value) ? value : null;
}
