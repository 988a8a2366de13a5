using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Cluster;

namespace TwisterLab.Cake.Steps.ClusterUpgrade;

/// <summary>
/// One worker at a time: drain (through the Eviction API, so PodDisruptionBudgets hold), run the node upgrade hook,
/// wait until the node reports the new kubelet, uncordon, verify. Never drains the last schedulable worker. A node
/// that fails is uncordoned at once and the chain stops there; nodes already upgraded stay upgraded (held run).
/// </summary>
[TaskDescription("Guide steps 2-6, per worker: kubectl drain <node> --ignore-daemonsets --delete-emptydir-data; upgrade kubelet (--node-upgrade-command); kubectl uncordon <node>; kubectl get nodes -o wide.")]
public sealed class UpgradeWorkerNodes : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        var nodes = context.Cluster.Nodes;
        var node = "<each worker>";
        yield return nodes.DescribeDrain(node, Drain(context));
        yield return Hook(context, node) + "   # --node-upgrade-command";
        yield return nodes.DescribeList() + $"   # until {node} reports kubelet {WorkerNodes.TargetKubelet(context)}";
        yield return nodes.DescribeUncordon(node);
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        foreach (var name in await WorkerNodes.ToUpgradeAsync(context))
        {
            var node = await WorkerNodes.FindAsync(context, name) ?? throw new InvalidOperationException($"node {name} is gone.");
            if (node.KubeletVersion == WorkerNodes.TargetKubelet(context) && !node.Unschedulable)
            {
                context.Log.Information("{0}: already at {1}.", name, node.KubeletVersion);
                continue;
            }

            if ((await WorkerNodes.OtherSchedulableAsync(context, except: name)).Count == 0)
            {
                throw new InvalidOperationException($"{name} is the last schedulable worker: draining it would leave its pods nowhere to run. Uncordon or add a node first.");
            }

            await UpgradeAsync(context, node);
        }
    }

    private async Task UpgradeAsync(DeployContext context, NodeInfo node)
    {
        var nodes = context.Cluster.Nodes;
        if (!node.Unschedulable)
        {
            context.Record(Name, new Uncordon(node.Name));
        }

        try
        {
            var drained = await nodes.DrainAsync(node.Name, Drain(context), context.CancellationToken);
            context.Log.Information("{0}: drained ({1} evicted).", node.Name, drained.Evicted.Count);
            context.Record(Name, new KubeletUpgraded(node.Name, node.KubeletVersion, WorkerNodes.TargetKubelet(context)));
            RunHook(context, node.Name);
            await WaitForKubeletAsync(context, node.Name);
            await nodes.UncordonAsync(node.Name, context.CancellationToken);
            var after = await WorkerNodes.FindAsync(context, node.Name);
            if (after is not { Ready: true, Unschedulable: false } || after.KubeletVersion != WorkerNodes.TargetKubelet(context))
            {
                throw new InvalidOperationException($"{node.Name} after the upgrade: Ready={after?.Ready}, schedulable={after?.Unschedulable == false}, kubelet {after?.KubeletVersion}.");
            }

            context.Log.Information("{0}: kubelet {1} -> {2}, Ready, schedulable.", node.Name, node.KubeletVersion, after.KubeletVersion);
        }
        catch when (!node.Unschedulable)
        {
            // The chain stops here; the node must not stay cordoned while a person looks at it.
            await nodes.UncordonAsync(node.Name, CancellationToken.None);
            context.Log.Warning("{0}: upgrade failed, node uncordoned; the nodes after it were not touched.", node.Name);
            throw;
        }
    }

    private static void RunHook(DeployContext context, string node)
    {
        var command = Hook(context, node);
        context.Log.Information("{0}: {1}", node, command);
        if (ShellScript.Run(context, $"node-upgrade-{node}", command) is { ExitCode: not 0 } failed)
        {
            throw new InvalidOperationException($"{node}: the node upgrade command exited {failed.ExitCode}: {failed.LastLine}");
        }
    }

    private static async Task WaitForKubeletAsync(DeployContext context, string node)
    {
        var deadline = DateTime.UtcNow + context.Settings.RolloutTimeout;
        while (true)
        {
            var now = await WorkerNodes.FindAsync(context, node);
            if (now?.KubeletVersion == WorkerNodes.TargetKubelet(context) && now.Ready)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"{node} still reports kubelet {now?.KubeletVersion} (Ready={now?.Ready}) after {context.Settings.RolloutTimeout.TotalSeconds:0}s, not {WorkerNodes.TargetKubelet(context)}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), context.CancellationToken);
        }
    }

    private static DrainOptions Drain(DeployContext context) => new(context.Settings.RolloutTimeout, IgnoreDaemonSets: true, DeleteEmptyDirData: true);

    /// <summary>The hook for one node; node names and versions are checked (RFC 1123, x.y.z), so they are safe in a shell line.</summary>
    private static string Hook(DeployContext context, string node) =>
        context.Settings.NodeUpgradeCommand.Replace("{node}", node).Replace("{version}", context.Settings.KubernetesVersion ?? "<--kubernetes-version>");
}
