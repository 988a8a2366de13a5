using System.Text.Json.Nodes;

namespace TwisterLab.KubeSim.Api;

/// <summary>
/// A small OpenAPI v3: schemas generated from the client models (see OpenApiSchemas) and the PATCH/POST operations with their group-version-kind and the
/// fieldValidation/dryRun parameters. That is what kubectl apply and create -f need to pass --validate=strict
/// (it then relies on server-side validation), and what kubectl explain walks.
/// </summary>
internal static class OpenApi
{
    const string Hash = "twisterlab-kubesim-1";

    static IEnumerable<(string Key, string Group, string Version)> GroupVersions =>
        ResourceCatalog.All.Select(t => (t.Group.Length == 0 ? "api/v1" : $"apis/{t.Group}/{t.Version}", t.Group, t.Version)).Distinct();

    public static JsonObject Index()
    {
        var paths = new JsonObject();
        foreach (var (key, _, _) in GroupVersions)
            paths[key] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{key}?hash={Hash}" };
        return new JsonObject { ["paths"] = paths };
    }

    public static JsonObject? Document(string key)
    {
        var match = GroupVersions.Where(gv => gv.Key == key).ToList();
        if (match.Count == 0) return null;
        var (_, group, version) = match[0];
        var paths = new JsonObject();
        foreach (var type in ResourceCatalog.All.Where(t => t.Group == group && t.Version == version))
        {
            var collection = type.GroupVersionPath + (type.Namespaced ? "/namespaces/{namespace}/" : "/") + type.Plural;
            paths[collection] = new JsonObject { ["post"] = Operation(type, "create", ["application/json", "application/yaml"]) };
            paths[collection + "/{name}"] = new JsonObject
            {
                ["patch"] = Operation(type, "patch", ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"]),
                ["put"] = Operation(type, "update", ["application/json", "application/yaml"]),
            };
        }
        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.4" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = OpenApiSchemas.For(group, version) },
        };
    }

    static JsonObject Operation(ResourceType type, string action, string[] contentTypes)
    {
        var content = new JsonObject();
        foreach (var c in contentTypes) content[c] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object" } };
        return new JsonObject
        {
            ["operationId"] = $"{action}{type.Kind}",
            ["x-kubernetes-action"] = action == "create" ? "post" : action == "update" ? "put" : "patch",
            ["x-kubernetes-group-version-kind"] = new JsonObject { ["group"] = type.Group, ["version"] = type.Version, ["kind"] = type.Kind },
            ["parameters"] = new JsonArray(
                Query("dryRun"), Query("fieldManager"), Query("fieldValidation"), Query("force")),
            ["requestBody"] = new JsonObject { ["content"] = content, ["required"] = true },
            ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
        };
    }

    static JsonObject Query(string name) => new()
    {
        ["name"] = name,
        ["in"] = "query",
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };
}
