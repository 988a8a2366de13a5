using System.Text.Json.Nodes;

namespace TwisterLab.KubeSim.Api;

/// <summary>
/// /version, /api, /apis (legacy and aggregated v2 discovery) and the per-group-version APIResourceLists.
/// The legacy lists are always served: kubectl drain asks /api/v1 directly for pods/eviction.
/// </summary>
internal static class Discovery
{
    public const string AggregatedContentType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

    /// <summary>
    /// /version for a gitVersion such as v1.32.4. kubectl here is Google's dispatcher: it picks the kubectl binary
    /// from the minor we report, so v1.32.x gets kubectl 1.32 (see the notes).
    /// </summary>
    public static JsonObject Version(string gitVersion)
    {
        var parts = gitVersion.TrimStart('v').Split('.', '-', '+');
        return new JsonObject
        {
            ["major"] = parts.ElementAtOrDefault(0) ?? "1",
            ["minor"] = parts.ElementAtOrDefault(1) ?? "32",
            ["gitVersion"] = gitVersion,
            ["gitCommit"] = "twisterlab-kubesim",
            ["gitTreeState"] = "clean",
            ["buildDate"] = "2026-01-01T00:00:00Z",
            ["goVersion"] = "go1.23.6",
            ["compiler"] = "gc",
            ["platform"] = "linux/amd64",
        };
    }

    public static bool WantsAggregated(string? accept) =>
        accept is not null && accept.Contains("as=APIGroupDiscoveryList") && accept.Contains("v=v2;");

    public static JsonObject LegacyCoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public static JsonObject LegacyGroups() => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(ResourceCatalog.Groups.Select(g => (JsonNode)Group(g)).ToArray()),
    };

    public static JsonObject Group(string group)
    {
        var version = ResourceCatalog.VersionOf(group);
        var gv = new JsonObject { ["groupVersion"] = $"{group}/{version}", ["version"] = version };
        return new JsonObject
        {
            ["kind"] = "APIGroup",
            ["apiVersion"] = "v1",
            ["name"] = group,
            ["versions"] = new JsonArray(gv),
            ["preferredVersion"] = gv.DeepClone(),
        };
    }

    public static JsonObject ResourceList(string group, string version)
    {
        var resources = new JsonArray();
        foreach (var type in ResourceCatalog.All.Where(t => t.Group == group && t.Version == version))
        {
            var entry = new JsonObject
            {
                ["name"] = type.Plural,
                ["singularName"] = type.Singular,
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = new JsonArray(type.Verbs.Select(v => (JsonNode)v).ToArray()),
            };
            if (type.ShortNames.Length > 0) entry["shortNames"] = new JsonArray(type.ShortNames.Select(s => (JsonNode)s).ToArray());
            if (type.InAllCategory) entry["categories"] = new JsonArray("all");
            resources.Add(entry);
            foreach (var sub in type.Subresources)
            {
                var (g, v, kind, verbs) = Subresource(type, sub);
                var subEntry = new JsonObject
                {
                    ["name"] = $"{type.Plural}/{sub}",
                    ["singularName"] = "",
                    ["namespaced"] = type.Namespaced,
                    ["kind"] = kind,
                    ["verbs"] = new JsonArray(verbs.Select(x => (JsonNode)x).ToArray()),
                };
                if (g != type.Group || v != type.Version)
                {
                    subEntry["group"] = g;
                    subEntry["version"] = v;
                }
                resources.Add(subEntry);
            }
        }
        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    static (string Group, string Version, string Kind, string[] Verbs) Subresource(ResourceType type, string sub) => sub switch
    {
        "scale" => ("autoscaling", "v1", "Scale", ["get", "patch", "update"]),
        "eviction" => ("policy", "v1", "Eviction", ["create"]),
        "exec" => (type.Group, type.Version, "PodExecOptions", ["create", "get"]),
        "log" => (type.Group, type.Version, "Pod", ["get"]),
        "portforward" => (type.Group, type.Version, "PodPortForwardOptions", ["create", "get"]),
        "token" => ("authentication.k8s.io", "v1", "TokenRequest", ["create"]),
        "finalize" => (type.Group, type.Version, type.Kind, ["update"]),
        _ => (type.Group, type.Version, type.Kind, ["get", "patch", "update"]),
    };

    /// <summary>The aggregated (apidiscovery.k8s.io/v2) document for /api (core only) or /apis (every group).</summary>
    public static JsonObject Aggregated(bool core)
    {
        var items = new JsonArray();
        var groups = core ? new[] { "" } : ResourceCatalog.Groups.ToArray();
        foreach (var group in groups)
        {
            var resources = new JsonArray();
            foreach (var type in ResourceCatalog.All.Where(t => t.Group == group))
            {
                var entry = new JsonObject
                {
                    ["resource"] = type.Plural,
                    ["responseKind"] = new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = type.Kind },
                    ["scope"] = type.Namespaced ? "Namespaced" : "Cluster",
                    ["singularResource"] = type.Singular,
                    ["verbs"] = new JsonArray(type.Verbs.Select(v => (JsonNode)v).ToArray()),
                };
                if (type.ShortNames.Length > 0) entry["shortNames"] = new JsonArray(type.ShortNames.Select(s => (JsonNode)s).ToArray());
                if (type.InAllCategory) entry["categories"] = new JsonArray("all");
                if (type.Subresources.Length > 0)
                    entry["subresources"] = new JsonArray(type.Subresources.Select(sub =>
                    {
                        var (g, v, kind, verbs) = Subresource(type, sub);
                        return (JsonNode)new JsonObject
                        {
                            ["subresource"] = sub,
                            ["responseKind"] = new JsonObject { ["group"] = g, ["version"] = v, ["kind"] = kind },
                            ["verbs"] = new JsonArray(verbs.Select(x => (JsonNode)x).ToArray()),
                        };
                    }).ToArray());
                resources.Add(entry);
            }
            items.Add(new JsonObject
            {
                ["metadata"] = new JsonObject { ["name"] = group },
                ["versions"] = new JsonArray(new JsonObject { ["version"] = group.Length == 0 ? "v1" : ResourceCatalog.VersionOf(group), ["resources"] = resources, ["freshness"] = "Current" }),
            });
        }
        return new JsonObject
        {
            ["kind"] = "APIGroupDiscoveryList",
            ["apiVersion"] = "apidiscovery.k8s.io/v2",
            ["metadata"] = new JsonObject(),
            ["items"] = items,
        };
    }
}
