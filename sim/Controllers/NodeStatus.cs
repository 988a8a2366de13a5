using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Controllers;

/// <summary>The Node objects a kubelet would register, and their Ready condition.</summary>
internal static class NodeStatus
{
    public static JsonObject Create(SimNode node, int index)
    {
        var labels = new JsonObject
        {
            ["kubernetes.io/hostname"] = node.Name,
            ["kubernetes.io/os"] = "linux",
            ["kubernetes.io/arch"] = "amd64",
            ["beta.kubernetes.io/os"] = "linux",
            ["beta.kubernetes.io/arch"] = "amd64",
        };
        var spec = new JsonObject { ["podCIDR"] = $"10.244.{index}.0/24", ["podCIDRs"] = new JsonArray($"10.244.{index}.0/24") };
        if (node.ControlPlane)
        {
            labels["node-role.kubernetes.io/control-plane"] = "";
            spec["taints"] = new JsonArray(new JsonObject { ["key"] = "node-role.kubernetes.io/control-plane", ["effect"] = "NoSchedule" });
        }
        var capacity = new JsonObject { ["cpu"] = "4", ["memory"] = "8Gi", ["pods"] = "110", ["ephemeral-storage"] = "100Gi" };
        var node1 = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Node",
            ["metadata"] = new JsonObject { ["name"] = node.Name, ["labels"] = labels },
            ["spec"] = spec,
            ["status"] = new JsonObject
            {
                ["capacity"] = capacity,
                ["allocatable"] = capacity.DeepClone(),
                ["addresses"] = new JsonArray(
                    new JsonObject { ["type"] = "InternalIP", ["address"] = $"172.18.0.{index + 2}" },
                    new JsonObject { ["type"] = "Hostname", ["address"] = node.Name }),
                ["nodeInfo"] = new JsonObject
                {
                    ["kubeletVersion"] = node.KubeletVersion,
                    ["kubeProxyVersion"] = node.KubeletVersion,
                    ["containerRuntimeVersion"] = "containerd://1.7.24",
                    ["operatingSystem"] = "linux",
                    ["architecture"] = "amd64",
                    ["osImage"] = "TwisterLab KubeSim",
                    ["kernelVersion"] = "6.1.0",
                    ["machineID"] = "", ["systemUUID"] = "", ["bootID"] = "",
                },
                ["daemonEndpoints"] = new JsonObject { ["kubeletEndpoint"] = new JsonObject { ["Port"] = 10250 } },
            },
        };
        SetReady(node1, true);
        return node1;
    }

    public static void SetReady(JsonObject node, bool ready)
    {
        var status = Json.Obj(node, "status");
        Conditions.Set(status, "Ready", ready ? "True" : "False",
            ready ? "KubeletReady" : "NodeStatusUnknown",
            ready ? "kubelet is posting ready status" : "Kubelet stopped posting node status.");
        var condition = Conditions.Get(status, "Ready")!;
        condition["lastHeartbeatTime"] = condition["lastTransitionTime"]?.DeepClone();
    }

    public static bool IsReady(JsonObject node) => Conditions.IsTrue(node, "Ready");

    public static string? InternalIp(JsonObject node) =>
        (Json.Walk(node, "status", "addresses") as JsonArray)?.OfType<JsonObject>()
            .FirstOrDefault(a => Json.Str(a, "type") == "InternalIP")?["address"]?.ToString();
}
