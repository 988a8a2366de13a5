using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Patching;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Api;

/// <summary>deployments/scale and replicasets/scale: an autoscaling/v1 Scale view of spec.replicas.</summary>
internal static class ScaleSubresource
{
    public static JsonObject View(JsonObject obj) => new()
    {
        ["kind"] = "Scale",
        ["apiVersion"] = "autoscaling/v1",
        ["metadata"] = new JsonObject
        {
            ["name"] = Json.Str(obj, "metadata", "name"),
            ["namespace"] = Json.Str(obj, "metadata", "namespace"),
            ["uid"] = Json.Str(obj, "metadata", "uid"),
            ["resourceVersion"] = Json.Str(obj, "metadata", "resourceVersion"),
            ["creationTimestamp"] = Json.Str(obj, "metadata", "creationTimestamp"),
        },
        ["spec"] = new JsonObject { ["replicas"] = Json.Long(obj, "spec", "replicas") ?? 0 },
        ["status"] = new JsonObject
        {
            ["replicas"] = Json.Long(obj, "status", "replicas") ?? 0,
            ["selector"] = LabelSelector.ToQueryString(Json.Walk(obj, "spec", "selector")),
        },
    };

    /// <summary>Applies a PUT body or a patch to the Scale view and returns the replicas it asks for.</summary>
    public static long DesiredReplicas(JsonObject current, string method, string contentType, string body)
    {
        var view = View(current);
        JsonNode? result = method == "PUT"
            ? Json.ParseObject(body)
            : contentType switch
            {
                "application/merge-patch+json" => JsonMergePatch.Apply(view, Json.ParseObject(body)),
                "application/strategic-merge-patch+json" => StrategicMergePatch.Apply(view, Json.ParseObject(body)),
                "application/json-patch+json" => JsonPatch.Apply(view, JsonNode.Parse(body) as JsonArray ?? throw ApiException.BadRequest("a json patch must be an array")),
                _ => throw ApiException.UnsupportedMediaType(contentType),
            };
        var expected = Json.Str(result, "metadata", "resourceVersion");
        if (!string.IsNullOrEmpty(expected) && expected != Json.Str(current, "metadata", "resourceVersion"))
            throw ApiException.Conflict(ResourceCatalog.Deployments, Json.Str(current, "metadata", "name")!, "the object has been modified; please apply your changes to the latest version and try again");
        return Json.Long(result, "spec", "replicas") ?? throw ApiException.BadRequest("scale.spec.replicas is required");
    }
}
