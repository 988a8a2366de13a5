using k8s;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;

namespace TwisterLab.Cake.Steps.ClusterUpgrade;

/// <summary>The worker nodes a cluster upgrade goes through, and the kubelet version it aims at.</summary>
public static class WorkerNodes
{
    public const string ControlPlaneLabel = "node-role.kubernetes.io/control-plane";

    /// <summary>What kubelet reports after the upgrade: "v" + --kubernetes-version.</summary>
    public static string TargetKubelet(DeployContext context) => "v" + context.Settings.KubernetesVersion;

    /// <summary>The workers to upgrade, in order: --nodes, else every node without the control-plane role, by name.</summary>
    public static async Task<IReadOnlyList<string>> ToUpgradeAsync(DeployContext context)
    {
        var workers = (await context.Cluster.Api.CallAsync("list nodes", token => context.Cluster.Client.CoreV1.ListNodeAsync(cancellationToken: token), context.CancellationToken)).Items
            .Where(node => node.Metadata.Labels?.ContainsKey(ControlPlaneLabel) != true)
            .Select(node => node.Metadata.Name)
            .Order(StringComparer.Ordinal)
            .ToList();
        return context.Settings.Nodes is { } chosen ? chosen : workers;
    }

    /// <summary>Schedulable, Ready workers other than <paramref name="except"/>: where a drained node's pods can go.</summary>
    public static async Task<IReadOnlyList<string>> OtherSchedulableAsync(DeployContext context, string? except)
    {
        var workers = await AllWorkersAsync(context);
        return (await context.Cluster.Nodes.ListAsync(context.CancellationToken))
            .Where(node => workers.Contains(node.Name) && node.Name != except && node.Ready && !node.Unschedulable)
            .Select(node => node.Name)
            .ToList();
    }

    private static async Task<IReadOnlyList<string>> AllWorkersAsync(DeployContext context) =>
        (await context.Cluster.Api.CallAsync("list nodes", token => context.Cluster.Client.CoreV1.ListNodeAsync(cancellationToken: token), context.CancellationToken)).Items
            .Where(node => node.Metadata.Labels?.ContainsKey(ControlPlaneLabel) != true)
            .Select(node => node.Metadata.Name)
            .ToList();

    public static async Task<NodeInfo?> FindAsync(DeployContext context, string name) =>
        (await context.Cluster.Nodes.ListAsync(context.CancellationToken)).FirstOrDefault(node => node.Name == name);
}
