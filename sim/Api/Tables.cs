using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Api;

/// <summary>
/// meta.k8s.io/v1 Table answers for kubectl get, with the columns of kubernetes pkg/printers/internalversion for the
/// kinds users look at; other kinds get Name and Age.
/// </summary>
internal static class Tables
{
    public const string ContentType = "application/json;as=Table;v=v1;g=meta.k8s.io";

    public static bool Wanted(string accept) => accept.Contains("as=Table") && accept.Contains("g=meta.k8s.io");

    sealed record Column(string Name, string Type, Func<JsonObject, JsonNode?> Cell, int Priority = 0, string Format = "");

    static readonly Column Name = new("Name", "string", o => Json.Str(o, "metadata", "name"), Format: "name");
    static readonly Column Age = new("Age", "string", o => AgeOf(o));

    static Column[] ColumnsFor(ResourceType type) => type.Kind switch
    {
        "Deployment" =>
        [
            Name,
            new("Ready", "string", o => $"{Json.Long(o, "status", "readyReplicas") ?? 0}/{Json.Long(o, "spec", "replicas") ?? 0}"),
            new("Up-to-date", "integer", o => Json.Long(o, "status", "updatedReplicas") ?? 0),
            new("Available", "integer", o => Json.Long(o, "status", "availableReplicas") ?? 0),
            Age,
            new("Containers", "string", o => ContainerField(o, "name"), 1),
            new("Images", "string", o => ContainerField(o, "image"), 1),
            new("Selector", "string", o => LabelSelector.ToQueryString(Json.Walk(o, "spec", "selector")), 1),
        ],
        "ReplicaSet" =>
        [
            Name,
            new("Desired", "integer", o => Json.Long(o, "spec", "replicas") ?? 0),
            new("Current", "integer", o => Json.Long(o, "status", "replicas") ?? 0),
            new("Ready", "integer", o => Json.Long(o, "status", "readyReplicas") ?? 0),
            Age,
            new("Containers", "string", o => ContainerField(o, "name"), 1),
            new("Images", "string", o => ContainerField(o, "image"), 1),
        ],
        "Pod" =>
        [
            Name,
            new("Ready", "string", o => $"{ContainerStatuses(o).Count(c => Json.Bool(c, "ready"))}/{(Json.Walk(o, "spec", "containers") as JsonArray)?.Count ?? 0}"),
            new("Status", "string", PodStatus),
            new("Restarts", "string", o => ContainerStatuses(o).Sum(c => Json.Long(c, "restartCount") ?? 0).ToString()),
            Age,
            new("IP", "string", o => Json.Str(o, "status", "podIP") ?? "<none>", 1),
            new("Node", "string", o => Json.Str(o, "spec", "nodeName") ?? "<none>", 1),
        ],
        "Node" =>
        [
            Name,
            new("Status", "string", NodeStatus),
            new("Roles", "string", o => Roles(o)),
            Age,
            new("Version", "string", o => Json.Str(o, "status", "nodeInfo", "kubeletVersion")),
            new("Internal-IP", "string", o => Controllers.NodeStatus.InternalIp(o) ?? "<none>", 1),
            new("External-IP", "string", _ => "<none>", 1),
            new("OS-Image", "string", o => Json.Str(o, "status", "nodeInfo", "osImage"), 1),
            new("Kernel-Version", "string", o => Json.Str(o, "status", "nodeInfo", "kernelVersion"), 1),
            new("Container-Runtime", "string", o => Json.Str(o, "status", "nodeInfo", "containerRuntimeVersion"), 1),
        ],
        "Service" =>
        [
            Name,
            new("Type", "string", o => Json.Str(o, "spec", "type")),
            new("Cluster-IP", "string", o => Json.Str(o, "spec", "clusterIP") ?? "<none>"),
            new("External-IP", "string", _ => "<none>"),
            new("Port(s)", "string", o => string.Join(",", ((Json.Walk(o, "spec", "ports") as JsonArray) ?? []).Select(p =>
                Json.Long(p, "nodePort") is { } node ? $"{Json.Long(p, "port")}:{node}/{Json.Str(p, "protocol") ?? "TCP"}" : $"{Json.Long(p, "port")}/{Json.Str(p, "protocol") ?? "TCP"}"))),
            Age,
            new("Selector", "string", o => string.Join(",", LabelSelector.StringMap(Json.Walk(o, "spec", "selector")).Select(kv => $"{kv.Key}={kv.Value}")), 1),
        ],
        "Event" =>
        [
            new("Last Seen", "string", o => AgeSince(Json.Str(o, "lastTimestamp") ?? Json.Str(o, "metadata", "creationTimestamp"))),
            new("Type", "string", o => Json.Str(o, "type")),
            new("Reason", "string", o => Json.Str(o, "reason")),
            new("Object", "string", o => $"{Json.Str(o, "involvedObject", "kind")?.ToLowerInvariant()}/{Json.Str(o, "involvedObject", "name")}"),
            new("Message", "string", o => Json.Str(o, "message")),
            new("Count", "integer", o => Json.Long(o, "count") ?? 1, 1),
            new("Name", "string", o => Json.Str(o, "metadata", "name"), 1, "name"),
        ],
        "Namespace" => [Name, new("Status", "string", o => Json.Str(o, "status", "phase")), Age],
        "PodDisruptionBudget" =>
        [
            Name,
            new("Min Available", "string", o => Json.Str(o, "spec", "minAvailable") ?? "N/A"),
            new("Max Unavailable", "string", o => Json.Str(o, "spec", "maxUnavailable") ?? "N/A"),
            new("Allowed Disruptions", "integer", o => Json.Long(o, "status", "disruptionsAllowed") ?? 0),
            Age,
        ],
        _ => [Name, Age],
    };

    public static JsonObject Render(ResourceType type, IEnumerable<JsonObject> objects, long resourceVersion)
    {
        var columns = ColumnsFor(type);
        var rows = new JsonArray();
        foreach (var o in objects)
            rows.Add(new JsonObject
            {
                ["cells"] = new JsonArray(columns.Select(c => c.Cell(o)?.DeepClone()).ToArray()),
                ["object"] = new JsonObject
                {
                    ["kind"] = "PartialObjectMetadata",
                    ["apiVersion"] = "meta.k8s.io/v1",
                    ["metadata"] = o["metadata"]?.DeepClone(),
                },
            });
        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion.ToString() },
            ["columnDefinitions"] = new JsonArray(columns.Select(c => (JsonNode)new JsonObject
            {
                ["name"] = c.Name,
                ["type"] = c.Type,
                ["format"] = c.Format,
                ["description"] = c.Name,
                ["priority"] = c.Priority,
            }).ToArray()),
            ["rows"] = rows,
        };
    }

    static IEnumerable<JsonNode> ContainerStatuses(JsonObject pod) =>
        (Json.Walk(pod, "status", "containerStatuses") as JsonArray)?.OfType<JsonNode>() ?? [];

    static string ContainerField(JsonObject o, string field) =>
        string.Join(",", ((Json.Walk(o, "spec", "template", "spec", "containers") as JsonArray) ?? []).Select(c => Json.Str(c, field)));

    static JsonNode? PodStatus(JsonObject pod)
    {
        if (Json.Walk(pod, "metadata", "deletionTimestamp") is not null) return "Terminating";
        foreach (var c in ContainerStatuses(pod))
            if (Json.Str(c, "state", "waiting", "reason") is { } reason && reason != "ContainerCreating") return reason;
        // The printer shows a finished container's reason (Completed, Error) rather than the phase.
        foreach (var c in ContainerStatuses(pod))
            if (Json.Str(c, "state", "terminated", "reason") is { } reason) return reason;
        var phase = Json.Str(pod, "status", "phase") ?? "Pending";
        if (phase == "Pending" && Json.Str(pod, "spec", "nodeName") is not null) return "ContainerCreating";
        return phase;
    }

    static JsonNode? NodeStatus(JsonObject node)
    {
        var ready = ((Json.Walk(node, "status", "conditions") as JsonArray) ?? []).FirstOrDefault(c => Json.Str(c, "type") == "Ready");
        var status = Json.Str(ready, "status") == "True" ? "Ready" : "NotReady";
        return Json.Bool(node, "spec", "unschedulable") ? status + ",SchedulingDisabled" : status;
    }

    static string Roles(JsonObject node)
    {
        var roles = LabelSelector.Labels(node).Keys
            .Where(k => k.StartsWith("node-role.kubernetes.io/"))
            .Select(k => k["node-role.kubernetes.io/".Length..]).ToList();
        return roles.Count == 0 ? "<none>" : string.Join(",", roles);
    }

    static string AgeOf(JsonObject o) => AgeSince(Json.Str(o, "metadata", "creationTimestamp"));

    static string AgeSince(string? timestamp)
    {
        var created = Json.ParseTime(timestamp);
        if (created is null) return "<unknown>";
        var age = DateTime.UtcNow - created.Value;
        if (age.TotalSeconds < 0) age = TimeSpan.Zero;
        return age.TotalMinutes < 2 ? $"{(int)age.TotalSeconds}s"
            : age.TotalMinutes < 10 ? $"{(int)age.TotalMinutes}m{age.Seconds}s"
            : age.TotalHours < 3 ? $"{(int)age.TotalMinutes}m"
            : age.TotalDays < 2 ? $"{(int)age.TotalHours}h"
            : $"{(int)age.TotalDays}d";
    }
}
