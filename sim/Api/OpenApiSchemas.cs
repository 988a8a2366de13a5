using System.Collections;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s.Models;

namespace TwisterLab.KubeSim.Api;

/// <summary>
/// OpenAPI v3 schemas for the kinds we serve, generated from KubernetesClient's models (their JSON property names and
/// CLR types), so that kubectl explain can walk them: the kind's component carries x-kubernetes-group-version-kind as
/// upstream's does. The models carry no descriptions, so explain shows fields and types without the upstream prose.
/// </summary>
internal static class OpenApiSchemas
{
    static readonly Dictionary<(string Group, string Version, string Kind), Type> Models =
        typeof(V1Pod).Assembly.GetTypes()
            .Select(t => (Type: t, Entity: t.GetCustomAttribute<KubernetesEntityAttribute>()))
            .Where(x => x.Entity is not null && !x.Type.Name.EndsWith("List"))
            .GroupBy(x => (x.Entity!.Group ?? "", x.Entity.ApiVersion ?? "", x.Entity.Kind ?? ""))
            .ToDictionary(g => g.Key, g => g.First().Type);

    /// <summary>components.schemas for a group-version: each served kind and every type it reaches.</summary>
    public static JsonObject For(string group, string version)
    {
        var schemas = new JsonObject();
        foreach (var type in ResourceCatalog.All.Where(t => t.Group == group && t.Version == version))
        {
            if (!Models.TryGetValue((group, version, type.Kind), out var model)) continue;
            Add(model, schemas);
            ((JsonObject)schemas[Name(model)]!)["x-kubernetes-group-version-kind"] =
                new JsonArray(new JsonObject { ["group"] = group, ["kind"] = type.Kind, ["version"] = version });
        }
        return schemas;
    }

    static string Name(Type t) => "io.k8s.kubesim." + t.Name;

    static void Add(Type model, JsonObject schemas)
    {
        if (schemas.ContainsKey(Name(model))) return;
        var properties = new JsonObject();
        var schema = new JsonObject { ["type"] = "object", ["properties"] = properties };
        schemas[Name(model)] = schema;
        foreach (var p in model.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name is not { } json) continue;
            var property = Of(p.PropertyType, schemas);
            PatchStrategy(model, json, property);
            properties[json] = property;
        }
    }

    /// <summary>
    /// The patch metadata kubectl's client-side apply reads from these schemas (it prefers them to its compiled-in
    /// types once a kind has one): merge keys of keyed lists, set-like finalizers, and retainKeys where upstream has it.
    /// Without them every list would be atomic and a re-apply would report "configured" for defaulted containers.
    /// </summary>
    static void PatchStrategy(Type model, string field, JsonObject property)
    {
        var inContainer = model == typeof(V1Container) || model == typeof(V1EphemeralContainer);
        var key = field == "ports" ? (inContainer ? "containerPort" : "port") : Patching.MergeKeys.For([], field);
        if (property["type"]?.ToString() == "array" && key is not null)
        {
            property["x-kubernetes-patch-merge-key"] = key;
            property["x-kubernetes-patch-strategy"] = field == "volumes" ? "merge,retainKeys" : "merge";
        }
        else if (Patching.MergeKeys.IsSetOfPrimitives(field))
            property["x-kubernetes-patch-strategy"] = "merge";
        else if (field == "strategy" && model == typeof(V1DeploymentSpec))
            property["x-kubernetes-patch-strategy"] = "retainKeys";
    }

    static JsonObject Of(Type t, JsonObject schemas)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        if (t == typeof(string)) return new() { ["type"] = "string" };
        if (t == typeof(int)) return new() { ["type"] = "integer", ["format"] = "int32" };
        if (t == typeof(long)) return new() { ["type"] = "integer", ["format"] = "int64" };
        if (t == typeof(bool)) return new() { ["type"] = "boolean" };
        if (t == typeof(double) || t == typeof(float)) return new() { ["type"] = "number", ["format"] = "double" };
        if (t == typeof(DateTime) || t == typeof(DateTimeOffset)) return new() { ["type"] = "string", ["format"] = "date-time" };
        if (t == typeof(byte[])) return new() { ["type"] = "string", ["format"] = "byte" };
        if (t == typeof(IntOrString)) return new() { ["type"] = "string", ["format"] = "int-or-string", ["x-kubernetes-int-or-string"] = true };
        if (t == typeof(ResourceQuantity)) return new() { ["type"] = "string" };
        if (t.IsGenericType && t.GetGenericArguments() is [var key, var value] && typeof(IEnumerable).IsAssignableFrom(t) && key == typeof(string))
            return new() { ["type"] = "object", ["additionalProperties"] = Of(value, schemas) };
        if (t.IsGenericType && t.GetGenericArguments() is [var item] && typeof(IEnumerable).IsAssignableFrom(t))
            return new() { ["type"] = "array", ["items"] = Of(item, schemas) };
        if (t == typeof(object) || t.IsInterface) return new() { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
        if (t.IsClass && t.Namespace == typeof(V1Pod).Namespace)
        {
            Add(t, schemas);
            return new() { ["allOf"] = new JsonArray(new JsonObject { ["$ref"] = "#/components/schemas/" + Name(t) }) };
        }
        return new() { ["type"] = "object" };
    }
}
