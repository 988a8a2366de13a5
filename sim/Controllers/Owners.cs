using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Controllers;

/// <summary>ownerReferences helpers (metav1.IsControlledBy and friends).</summary>
internal static class Owners
{
    public static string? ControllerUid(JsonObject obj) =>
        (Json.Walk(obj, "metadata", "ownerReferences") as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(r => Json.Bool(r, "controller"))?["uid"]?.ToString();

    public static bool IsControlledBy(JsonObject obj, JsonObject owner) =>
        ControllerUid(obj) is { } uid && uid == Json.Str(owner, "metadata", "uid");

    public static JsonArray ControllerReference(JsonObject owner) => new(new JsonObject
    {
        ["apiVersion"] = Json.Str(owner, "apiVersion"),
        ["kind"] = Json.Str(owner, "kind"),
        ["name"] = Json.Str(owner, "metadata", "name"),
        ["uid"] = Json.Str(owner, "metadata", "uid"),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    });

    public static bool IsTerminating(JsonObject obj) => Json.Walk(obj, "metadata", "deletionTimestamp") is not null;

    public static string Name(JsonObject obj) => Json.Str(obj, "metadata", "name") ?? "";

    public static string? Namespace(JsonObject obj) => Json.Str(obj, "metadata", "namespace");

    public static DateTime Created(JsonObject obj) => Json.ParseTime(Json.Str(obj, "metadata", "creationTimestamp")) ?? DateTime.MinValue;
}

/// <summary>Conditions lists (type/status/reason/message with transition times), kept stable when nothing changes.</summary>
internal static class Conditions
{
    public static JsonObject? Get(JsonObject status, string type) =>
        (status["conditions"] as JsonArray)?.OfType<JsonObject>().FirstOrDefault(c => Json.Str(c, "type") == type);

    /// <summary>Sets a condition; lastTransitionTime changes only when the status does.</summary>
    public static void Set(JsonObject status, string type, string value, string? reason, string? message, bool withUpdateTime = false, DateTime? now = null)
    {
        var time = Json.Timestamp(now ?? DateTime.UtcNow);
        var list = Json.Arr(status, "conditions");
        var existing = Get(status, type);
        var condition = new JsonObject { ["type"] = type, ["status"] = value };
        if (withUpdateTime) condition["lastUpdateTime"] = time;
        condition["lastTransitionTime"] = existing is not null && Json.Str(existing, "status") == value
            ? Json.Str(existing, "lastTransitionTime")
            : time;
        if (reason is not null) condition["reason"] = reason;
        if (message is not null) condition["message"] = message;
        if (existing is null) list.Add(condition);
        else list[list.IndexOf(existing)] = condition;
    }

    public static void Remove(JsonObject status, string type)
    {
        if (status["conditions"] is JsonArray list && Get(status, type) is { } existing) list.Remove(existing);
    }

    public static bool IsTrue(JsonObject? obj, string type) =>
        obj?["status"] is JsonObject status && Json.Str(Get(status, type), "status") == "True";
}
