using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.ClusterUpgrade;

/// <summary>
/// The guide's pre-requisites, checked before any node is touched: the control plane is upgraded first (a kubelet
/// must not be newer than the API server), the nodes named exist, and there are at least two schedulable workers,
/// so a drained node's pods always have somewhere to go.
/// </summary>
[TaskDescription("Guide step 1: kubectl version --short — the control plane is at least --kubernetes-version (skew policy: control plane first), the nodes exist, two workers schedulable.")]
public sealed class CheckClusterVersion : DeployStep, IHasPreconditions
{
    public IEnumerable<string> Problems(DeployContext context) =>
        context.Settings.KubernetesVersion is null ? ["add --kubernetes-version=<x.y.z>, the kubelet version to reach (e.g. 1.29.0)"] : [];

    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return context.Cluster.Nodes.DescribeServerVersion();
        yield return context.Cluster.Nodes.DescribeList();
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var server = await context.Cluster.Nodes.ServerVersionAsync(context.CancellationToken);
        var target = Version.Parse(context.Settings.KubernetesVersion!);
        var control = Version.Parse(server.GitVersion.TrimStart('v').Split('-', '+')[0]);
        if (target > control)
        {
            throw new BadInputException($"Kubelet {WorkerNodes.TargetKubelet(context)} would be newer than the control plane {server.GitVersion}: upgrade the control plane first (Kubernetes version skew policy).");
        }

        var nodes = await context.Cluster.Nodes.ListAsync(context.CancellationToken);
        var workers = await WorkerNodes.ToUpgradeAsync(context);
        if (workers.Where(name => nodes.All(node => node.Name != name)).ToList() is { Count: > 0 } unknown)
        {
            throw new BadInputException($"Unknown node {string.Join(", ", unknown)}: the cluster has {string.Join(", ", nodes.Select(node => node.Name))}.");
        }

        if (await WorkerNodes.OtherSchedulableAsync(context, except: null) is { Count: < 2 } schedulable)
        {
            throw new BadInputException($"Only {schedulable.Count} schedulable worker node(s) ({string.Join(", ", schedulable)}): draining one at a time needs at least two. Add or uncordon a node first.");
        }

        context.Log.Information("Control plane {0}; kubelets: {1}; upgrading {2} to {3}.", server.GitVersion,
            string.Join(", ", nodes.Select(node => $"{node.Name} {node.KubeletVersion}")), string.Join(", ", workers), WorkerNodes.TargetKubelet(context));
    }
}
