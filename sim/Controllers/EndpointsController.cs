using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Api;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Controllers;

/// <summary>The endpoints controller: each Service with a selector gets an Endpoints object listing its pods' IPs, ready or not.</summary>
internal sealed class EndpointsController(Registry registry)
{
    ObjectStore Store => registry.Store;

    public void Sync(DateTime now)
    {
        var pods = Store.List(ResourceCatalog.Pods, null).Items;
        var services = Store.List(ResourceCatalog.Services, null).Items;
        foreach (var svc in services)
        {
            if (Json.Walk(svc, "spec", "selector") is not JsonObject { Count: > 0 } selector) continue;
            try { SyncOne(svc, LabelSelector.FromMap(selector), pods); }
            catch (ApiException) { }
        }
        foreach (var ep in Store.List(ResourceCatalog.Endpoints, null).Items)
        {
            var svc = services.FirstOrDefault(s => Owners.Name(s) == Owners.Name(ep) && Owners.Namespace(s) == Owners.Namespace(ep));
            if (svc is null && LabelSelector.Labels(ep).ContainsKey("endpoints.kubernetes.io/managed-by"))
                Store.Remove(ResourceCatalog.Endpoints, Owners.Namespace(ep), Owners.Name(ep));
        }
    }

    void SyncOne(JsonObject svc, LabelSelector selector, List<JsonObject> pods)
    {
        var ns = Owners.Namespace(svc);
        var matching = pods.Where(p => Owners.Namespace(p) == ns && !Owners.IsTerminating(p) && selector.Matches(p)
            && Json.Str(p, "status", "podIP") is not null).OrderBy(p => Json.Str(p, "status", "podIP"), StringComparer.Ordinal).ToList();
        var ready = new JsonArray(matching.Where(p => Conditions.IsTrue(p, "Ready")).Select(Address).ToArray());
        var notReady = new JsonArray(matching.Where(p => !Conditions.IsTrue(p, "Ready")).Select(Address).ToArray());
        var ports = new JsonArray(((Json.Walk(svc, "spec", "ports") as JsonArray) ?? []).OfType<JsonObject>().Select(p =>
        {
            var port = new JsonObject
            {
                ["port"] = Json.Long(p, "targetPort") ?? ResolveNamedPort(matching, Json.Str(p, "targetPort")) ?? Json.Long(p, "port"),
                ["protocol"] = Json.Str(p, "protocol") ?? "TCP",
            };
            if (Json.Str(p, "name") is { } name) port["name"] = name;
            return (JsonNode)port;
        }).ToArray());
        var subset = new JsonObject();
        if (ready.Count > 0) subset["addresses"] = ready;
        if (notReady.Count > 0) subset["notReadyAddresses"] = notReady;
        subset["ports"] = ports;
        var subsets = ready.Count + notReady.Count > 0 ? new JsonArray(subset) : null;

        var name = Owners.Name(svc);
        if (Store.Get(ResourceCatalog.Endpoints, ns, name) is null)
        {
            var ep = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Endpoints",
                ["metadata"] = new JsonObject
                {
                    ["name"] = name,
                    ["namespace"] = ns,
                    ["labels"] = new JsonObject { ["endpoints.kubernetes.io/managed-by"] = "endpoint-controller" },
                },
            };
            if (subsets is not null) ep["subsets"] = subsets;
            registry.Create(ResourceCatalog.Endpoints, ns, ep);
            return;
        }
        Store.Mutate(ResourceCatalog.Endpoints, ns, name, current =>
        {
            if (subsets is null) current.Remove("subsets");
            else current["subsets"] = subsets.DeepClone();
            return current;
        });
    }

    static JsonNode Address(JsonObject pod) => new JsonObject
    {
        ["ip"] = Json.Str(pod, "status", "podIP"),
        ["nodeName"] = Json.Str(pod, "spec", "nodeName"),
        ["targetRef"] = new JsonObject
        {
            ["kind"] = "Pod",
            ["namespace"] = Owners.Namespace(pod),
            ["name"] = Owners.Name(pod),
            ["uid"] = Json.Str(pod, "metadata", "uid"),
        },
    };

    static long? ResolveNamedPort(List<JsonObject> pods, string? name) =>
        name is null ? null : pods.SelectMany(p => (Json.Walk(p, "spec", "containers") as JsonArray)?.OfType<JsonObject>() ?? [])
            .SelectMany(c => (c["ports"] as JsonArray)?.OfType<JsonObject>() ?? [])
            .Where(port => Json.Str(port, "name") == name).Select(port => Json.Long(port, "containerPort")).FirstOrDefault();
}
