using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests.Chains;

public sealed class ClusterUpgradeTests
{
    private const string Target = "1.32.9";

    /// <summary>
    /// Given a control plane already at 1.32.9 and kubelets at 1.32.4 (the simulator's kubectl dispatcher keeps us in
    /// 1.32). The node hook is what a kubelet upgrade looks like from the API: the node reports the new version, set
    /// here through the real kubectl against the simulator.
    /// </summary>
    private static Task<string[]> ControlPlaneUpgraded(Rehearsal rehearsal) => ControlPlaneUpgraded(rehearsal, hook: null);

    private static Task<string[]> ControlPlaneUpgraded(Rehearsal rehearsal, string? hook)
    {
        rehearsal.Environment.Cluster.ServerVersion = "v" + Target;
        var cache = Path.Combine(rehearsal.WorkingDirectory, "kubectl-cache");
        hook ??= $"kubectl --kubeconfig {rehearsal.Environment.Cluster.KubeconfigPath} --cache-dir {cache} patch node {{node}} --subresource=status --type=merge " +
                 "-p '{\"status\":{\"nodeInfo\":{\"kubeletVersion\":\"v{version}\"}}}'";
        return Task.FromResult(new[] { $"--kubernetes-version={Target}", $"--node-upgrade-command={hook}" });
    }

    [Fact]
    public async Task Upgrades_each_worker_in_turn_and_leaves_every_node_schedulable()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var arguments = await ControlPlaneUpgraded(rehearsal);
        var before = await rehearsal.SnapshotAsync();

        var exitCode = rehearsal.Run("ClusterUpgrade", arguments);
        Assert.True(exitCode == ExitCodes.Success, $"exit {exitCode}:\n{string.Join("\n", rehearsal.LatestLog().Where(line => line.Contains("worker")))}");

        var nodes = await rehearsal.Environment.Gateway.Nodes.ListAsync(CancellationToken.None);
        Assert.Equal(["twisterlab-control-plane v1.32.4", "twisterlab-worker v1.32.9", "twisterlab-worker2 v1.32.9"], nodes.Select(node => $"{node.Name} {node.KubeletVersion}"));
        Assert.All(nodes, node => Assert.False(node.Unschedulable));
        // The nodes changed on purpose (asserted above); everything else is as before.
        Assert.Empty(before.Differences(await rehearsal.SnapshotAsync()).Where(difference => !difference.StartsWith("node/", StringComparison.Ordinal)));
        Assert.Contains(rehearsal.LatestLog(), line => line.Contains("manifests accepted by a server-side dry run"));
        Assert.Equal("succeeded", rehearsal.Outcome());
    }

    [Fact]
    public async Task A_node_whose_upgrade_fails_is_uncordoned_and_the_nodes_after_it_are_not_touched()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var arguments = await ControlPlaneUpgraded(rehearsal, hook: "echo 'E: Unable to locate package kubelet={version}-00 on {node}' >&2; exit 100");

        Assert.Equal(ExitCodes.Held, rehearsal.Run("ClusterUpgrade", arguments));

        var nodes = await rehearsal.Environment.Gateway.Nodes.ListAsync(CancellationToken.None);
        Assert.All(nodes, node => Assert.False(node.Unschedulable));
        Assert.All(nodes, node => Assert.Equal("v1.32.4", node.KubeletVersion));
        Assert.Contains("twisterlab-worker: the node upgrade command exited 100", rehearsal.LatestReport().ToString());
        Assert.Equal("held", rehearsal.Outcome());
    }

    [Fact]
    public async Task Refuses_an_unknown_node_a_kubelet_newer_than_the_control_plane_and_a_single_schedulable_worker()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var arguments = await ControlPlaneUpgraded(rehearsal);

        await ChainChecks.AssertRefusedAsync(rehearsal, "ClusterUpgrade", "Unknown node worker-node-1", [.. arguments, "--nodes=twisterlab-worker,worker-node-1"]);
        await ChainChecks.AssertRefusedAsync(rehearsal, "ClusterUpgrade", "newer than the control plane v1.32.9", [.. arguments, "--kubernetes-version=1.33.0"]);
        await rehearsal.Environment.Gateway.Nodes.CordonAsync("twisterlab-worker2", CancellationToken.None);
        await ChainChecks.AssertRefusedAsync(rehearsal, "ClusterUpgrade", "Only 1 schedulable worker node(s)", arguments);
        var nodes = await rehearsal.Environment.Gateway.Nodes.ListAsync(CancellationToken.None);
        Assert.Equal(["v1.32.4"], nodes.Select(node => node.KubeletVersion).Distinct());
        Assert.Equal(["twisterlab-worker2"], nodes.Where(node => node.Unschedulable).Select(node => node.Name));
    }

    public static TheoryData<string, string> Faults() => ChainChecks.Matrix(["Preflight", "CheckClusterVersion"]);

    /// <summary>Before any kubelet is upgraded, a fault leaves the cluster as it was: every node schedulable at its version.</summary>
    [Theory]
    [MemberData(nameof(Faults))]
    public Task A_fault_before_the_first_kubelet_upgrade_changes_nothing(string step, string kind) =>
        ChainChecks.AssertWorldRestoredAsync("ClusterUpgrade", step, kind, ControlPlaneUpgraded, async rehearsal =>
        {
            var nodes = await rehearsal.Environment.Gateway.Nodes.ListAsync(CancellationToken.None);
            Assert.All(nodes, node => Assert.False(node.Unschedulable));
            Assert.Equal(["v1.32.4"], nodes.Select(node => node.KubeletVersion).Distinct());
        });

    /// <summary>After a kubelet upgrade there is no automatic way back: the run holds, and no node is left cordoned.</summary>
    [Theory]
    [InlineData("UpgradeWorkerNodes")]
    [InlineData("CheckDeprecatedApis")]
    public async Task A_fault_after_the_kubelet_upgrades_holds_with_every_node_schedulable(string step)
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var arguments = await ControlPlaneUpgraded(rehearsal);

        Assert.Equal(ExitCodes.Held, rehearsal.Run("ClusterUpgrade", [.. arguments, $"--inject-failure={step}"]));

        var nodes = await rehearsal.Environment.Gateway.Nodes.ListAsync(CancellationToken.None);
        Assert.All(nodes, node => Assert.False(node.Unschedulable));
        Assert.Contains(rehearsal.LatestReport().GetProperty("notes").EnumerateArray(), note => note.GetString()!.Contains("kubelet v1.32.4 -> v1.32.9"));
    }
}
