using k8s;
using k8s.Models;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Rollback.Cluster;

namespace TwisterLab.Cluster.Tests;

/// <summary>Cordon, drain (PodDisruptionBudgets, DaemonSet, mirror and emptyDir pods), uncordon and its undo.</summary>
public sealed class NodeTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Drain_evicts_the_node_s_pods_skipping_daemonset_and_mirror_pods_and_the_uncordon_undo_restores_it()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        await cluster.CreateDeploymentAsync("web", "nginx:1.25", replicas: 4);
        await cluster.WaitRolledOutAsync("web");
        var node = await BusiestNodeAsync(cluster, "app=web");
        await CreateDaemonSetAsync(cluster);
        await CreatePodOnNodeAsync(cluster, "static-etcd", node, annotations: new Dictionary<string, string> { ["kubernetes.io/config.mirror"] = "hash" });
        var before = await cluster.Client.CoreV1.ReadNodeAsync(node);

        var result = await cluster.Gateway.Nodes.DrainAsync(node, new DrainOptions(TimeSpan.FromSeconds(30), Force: true), None);

        Assert.False(result.WasUnschedulable);
        Assert.NotEmpty(result.Evicted);
        Assert.Contains(result.Skipped, id => id.StartsWith($"{cluster.Namespace}/agent-", StringComparison.Ordinal));
        Assert.Contains($"{cluster.Namespace}/static-etcd", result.Skipped);
        var left = (await cluster.Client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: $"spec.nodeName={node}")).Items.Select(pod => pod.Metadata.Name).ToList();
        Assert.DoesNotContain(left, name => name.StartsWith("web-", StringComparison.Ordinal));
        Assert.True((await cluster.Client.CoreV1.ReadNodeAsync(node)).Spec.Unschedulable);

        var handler = new UncordonHandler(cluster.Gateway);
        await handler.ApplyAsync(new Uncordon(node), None);
        await handler.ApplyAsync(new Uncordon(node), None);
        var after = await cluster.Client.CoreV1.ReadNodeAsync(node);
        Assert.Equal(before.Spec.Unschedulable ?? false, after.Spec.Unschedulable ?? false);
        Assert.Equal(before.Spec.Taints?.Count ?? 0, after.Spec.Taints?.Count ?? 0);
    }

    [Fact]
    public async Task A_pod_disruption_budget_that_never_allows_an_eviction_fails_the_drain_at_its_timeout_naming_the_pods()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        await cluster.CreateDeploymentAsync("pg", "postgres:16", replicas: 2);
        await cluster.WaitRolledOutAsync("pg");
        await cluster.Client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(new V1PodDisruptionBudget
        {
            Metadata = new V1ObjectMeta { Name = "pg" },
            Spec = new V1PodDisruptionBudgetSpec { MinAvailable = 2, Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "pg" } } },
        }, cluster.Namespace);
        var node = await BusiestNodeAsync(cluster, "app=pg");

        var exception = await Assert.ThrowsAsync<ClusterException>(() => cluster.Gateway.Nodes.DrainAsync(node,
            new DrainOptions(TimeSpan.FromSeconds(1.5), EvictionRetryInterval: TimeSpan.FromMilliseconds(200)), None));

        Assert.Contains("PodDisruptionBudget", exception.Message);
        Assert.Contains($"{cluster.Namespace}/pg-", exception.Message);
        var pods = await cluster.Client.CoreV1.ListNamespacedPodAsync(cluster.Namespace, labelSelector: "app=pg");
        Assert.Equal(2, pods.Items.Count(pod => pod.Metadata.DeletionTimestamp is null));
        Assert.True((await cluster.Client.CoreV1.ReadNodeAsync(node)).Spec.Unschedulable);
    }

    [Fact]
    public async Task A_budget_that_allows_one_disruption_at_a_time_lets_the_drain_finish_by_retrying()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        var nodes = (await cluster.Gateway.Nodes.ListAsync(None)).Where(node => !node.Name.Contains("control-plane")).Select(node => node.Name).ToList();
        await cluster.CreateDeploymentAsync("api", "twisterlab-api:v2.0", replicas: 3);
        await cluster.WaitRolledOutAsync("api");
        await cluster.Client.PolicyV1.CreateNamespacedPodDisruptionBudgetAsync(new V1PodDisruptionBudget
        {
            Metadata = new V1ObjectMeta { Name = "api" },
            Spec = new V1PodDisruptionBudgetSpec { MaxUnavailable = 1, Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "api" } } },
        }, cluster.Namespace);
        var node = await BusiestNodeAsync(cluster, "app=api");

        var result = await cluster.Gateway.Nodes.DrainAsync(node, new DrainOptions(TimeSpan.FromSeconds(30), EvictionRetryInterval: TimeSpan.FromMilliseconds(100)), None);

        Assert.NotEmpty(result.Evicted);
        Assert.Empty((await cluster.Client.CoreV1.ListNamespacedPodAsync(cluster.Namespace, fieldSelector: $"spec.nodeName={node}", labelSelector: "app=api")).Items);
        Assert.NotEmpty(nodes);
    }

    [Fact]
    public async Task Emptydir_and_daemonset_pods_are_refused_without_their_flags_and_nothing_is_evicted()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        var node = (await cluster.Gateway.Nodes.ListAsync(None)).First(n => !n.Name.Contains("control-plane")).Name;
        await CreatePodOnNodeAsync(cluster, "cache", node, emptyDir: true);
        await CreateDaemonSetAsync(cluster);
        var before = (await cluster.Client.CoreV1.ListNamespacedPodAsync(cluster.Namespace, fieldSelector: $"spec.nodeName={node}")).Items.Select(pod => pod.Metadata.Uid).Order().ToList();

        var exception = await Assert.ThrowsAsync<ClusterException>(() => cluster.Gateway.Nodes.DrainAsync(node, new DrainOptions(TimeSpan.FromSeconds(10), IgnoreDaemonSets: false, Force: true), None));

        Assert.Contains("emptyDir", exception.Message);
        Assert.Contains("--delete-emptydir-data", exception.Message);
        Assert.Contains("--ignore-daemonsets", exception.Message);
        var after = (await cluster.Client.CoreV1.ListNamespacedPodAsync(cluster.Namespace, fieldSelector: $"spec.nodeName={node}")).Items;
        Assert.Equal(before, after.Select(pod => pod.Metadata.Uid).Order().ToList());
        Assert.All(after, pod => Assert.Null(pod.Metadata.DeletionTimestamp));
    }

    [Fact]
    public async Task Cordon_returns_whether_the_node_already_was_and_is_idempotent()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        var node = (await cluster.Gateway.Nodes.ListAsync(None)).First(n => !n.Name.Contains("control-plane")).Name;

        Assert.False(await cluster.Gateway.Nodes.CordonAsync(node, None));
        Assert.True(await cluster.Gateway.Nodes.CordonAsync(node, None));
        Assert.True((await cluster.Gateway.Nodes.ListAsync(None)).Single(n => n.Name == node).Unschedulable);
        Assert.True(await cluster.Gateway.Nodes.UncordonAsync(node, None));
        Assert.False(await cluster.Gateway.Nodes.UncordonAsync(node, None));
    }

    internal static async Task<string> BusiestNodeAsync(TestCluster cluster, string selector)
    {
        var pods = await cluster.Client.CoreV1.ListNamespacedPodAsync(cluster.Namespace, labelSelector: selector);
        return pods.Items.GroupBy(pod => pod.Spec.NodeName).OrderByDescending(group => group.Count()).First().Key;
    }

    // The simulator runs a DaemonSet controller: one Ready agent pod per schedulable node, as drain meets them.
    private static async Task CreateDaemonSetAsync(TestCluster cluster)
    {
        var labels = new Dictionary<string, string> { ["app"] = "agent" };
        await cluster.Client.AppsV1.CreateNamespacedDaemonSetAsync(new V1DaemonSet
        {
            Metadata = new V1ObjectMeta { Name = "agent" },
            Spec = new V1DaemonSetSpec
            {
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = labels }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "agent", Image = "agent:1" }] } },
            },
        }, cluster.Namespace);
        await cluster.Gateway.Pods.WaitReadyAsync("app=agent", TimeSpan.FromSeconds(30), CancellationToken.None);
    }

    internal static Task<V1Pod> CreatePodOnNodeAsync(TestCluster cluster, string name, string node, V1OwnerReference? owner = null, IDictionary<string, string>? annotations = null, bool emptyDir = false) =>
        cluster.Client.CoreV1.CreateNamespacedPodAsync(new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = name, OwnerReferences = owner is null ? null : [owner], Annotations = annotations },
            Spec = new V1PodSpec
            {
                NodeName = node,
                Containers = [new V1Container { Name = "c", Image = "busybox:1.36" }],
                Volumes = emptyDir ? [new V1Volume { Name = "scratch", EmptyDir = new V1EmptyDirVolumeSource() }] : null,
            },
        }, cluster.Namespace);
}
