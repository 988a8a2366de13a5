using k8s;
using k8s.Models;

namespace TwisterLab.KubeSim.Tests;

public sealed class NodeTests : ClusterTest
{
    const string Worker = "twisterlab-worker";

    const string NodeAgent = """
        apiVersion: apps/v1
        kind: DaemonSet
        metadata:
          name: node-agent
          namespace: twisterlab
        spec:
          selector:
            matchLabels:
              app: node-agent
          template:
            metadata:
              labels:
                app: node-agent
            spec:
              containers:
              - name: agent
                image: busybox:1.36
        """;

    static string Budget(int minAvailable) => $"""
        apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata:
          name: twisterlab-api
          namespace: twisterlab
        spec:
          minAvailable: {minAvailable}
          selector:
            matchLabels:
              app: twisterlab-api
        """;

    [Fact]
    public async Task Nodes_ReportKubeletVersions_AndCordonStopsScheduling()
    {
        var nodes = (await Client.CoreV1.ListNodeAsync()).Items;
        Assert.Equal(3, nodes.Count);
        Assert.All(nodes, n => Assert.Equal("v1.32.4", n.Status.NodeInfo.KubeletVersion));

        await Kubectl.SucceedAsync($"cordon {Worker}");
        Assert.True((await Client.CoreV1.ReadNodeAsync(Worker)).Spec.Unschedulable);
        await DeployTwisterLabAsync();
        Assert.All((await Client.CoreV1.ListPodForAllNamespacesAsync()).Items, p => Assert.NotEqual(Worker, p.Spec.NodeName));

        await Kubectl.SucceedAsync($"uncordon {Worker}");
        Assert.NotEqual(true, (await Client.CoreV1.ReadNodeAsync(Worker)).Spec.Unschedulable);
        await Kubectl.SucceedAsync($"-n {Ns} scale deployment/twisterlab-api --replicas=6");
        await EventuallyAsync(() => PodsAsync(), p => p.Any(x => x.Spec.NodeName == Worker), "new pods land on the uncordoned worker");
    }

    [Fact]
    public async Task Drain_IsBlockedByABudget_ThenSucceedsWhenTheBudgetAllows()
    {
        await DeployTwisterLabAsync();
        await Kubectl.SucceedAsync("apply -f -", NodeAgent);
        await EventuallyAsync(() => PodsAsync("app=node-agent"), p => p.Count == 2 && p.All(x => x.Status.Phase == "Running"), "one agent per worker");
        var onWorker = (await PodsAsync()).Where(p => p.Spec.NodeName == Worker).ToList();
        Assert.NotEmpty(onWorker);

        // Every api pod must stay: the budget allows no disruption and drain gives up at its timeout.
        await Kubectl.SucceedAsync("apply -f -", Budget(3));
        await EventuallyAsync(() => Client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("twisterlab-api", Ns),
            b => b.Status?.CurrentHealthy == 3 && b.Status.DisruptionsAllowed == 0, "the budget is computed");
        var blocked = await Kubectl.RunAsync($"drain {Worker} --ignore-daemonsets --delete-emptydir-data --timeout=3s");
        Assert.NotEqual(0, blocked.ExitCode);
        Assert.Contains("disruption budget", blocked.Output);
        Assert.True((await Client.CoreV1.ReadNodeAsync(Worker)).Spec.Unschedulable);
        Assert.All(onWorker, p => Assert.Contains(p.Metadata.Name, PodNames(PodsAsync().Result)));

        await Kubectl.SucceedAsync("apply -f -", Budget(2));
        var drained = await Kubectl.SucceedAsync($"drain {Worker} --ignore-daemonsets --delete-emptydir-data --timeout=60s");
        Assert.Contains("drained", drained);
        var remaining = (await Client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: $"spec.nodeName={Worker}")).Items;
        Assert.All(remaining, p => Assert.Equal("node-agent", p.Metadata.Labels["app"]));
        await Kubectl.SucceedAsync($"-n {Ns} rollout status deployment/twisterlab-api --timeout=30s");
        Assert.All(await PodsAsync(), p => Assert.NotEqual(Worker, p.Spec.NodeName));

        await Kubectl.SucceedAsync($"uncordon {Worker}");
        Assert.NotEqual(true, (await Client.CoreV1.ReadNodeAsync(Worker)).Spec.Unschedulable);
    }

    [Fact]
    public async Task Eviction_Returns429WhileTheBudgetForbidsIt()
    {
        await DeployTwisterLabAsync();
        await Kubectl.SucceedAsync("apply -f -", Budget(3));
        await EventuallyAsync(() => Client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("twisterlab-api", Ns),
            b => b.Status?.CurrentHealthy == 3 && b.Status.DisruptionsAllowed == 0 && b.Status.ObservedGeneration == b.Metadata.Generation,
            "the budget is computed for this spec");
        var pod = (await PodsAsync()).First();
        var eviction = new V1Eviction { Metadata = new V1ObjectMeta { Name = pod.Metadata.Name, NamespaceProperty = Ns } };

        // A dry-run eviction changes nothing, so it can be asked until the budget's controller has settled.
        for (var attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                await Client.CoreV1.CreateNamespacedPodEvictionAsync(eviction, pod.Metadata.Name, Ns, dryRun: "All");
                await Task.Delay(100);
            }
            catch (k8s.Autorest.HttpOperationException)
            {
                break;
            }
        }

        var refused = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            Client.CoreV1.CreateNamespacedPodEvictionAsync(eviction, pod.Metadata.Name, Ns));
        Assert.Equal(429, (int)refused.Response.StatusCode);
        Assert.Contains("DisruptionBudget", refused.Response.Content);

        await Kubectl.SucceedAsync("apply -f -", Budget(2));
        await EventuallyAsync(() => Client.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("twisterlab-api", Ns),
            b => b.Status?.DisruptionsAllowed == 1, "one disruption is allowed");
        // With every node cordoned the evicted pod's replacement stays Pending, so the budget cannot recover
        // (the control plane takes pods too: it carries no taint in the simulator).
        await Kubectl.SucceedAsync($"cordon {Worker} twisterlab-worker2 twisterlab-control-plane");
        await Client.CoreV1.CreateNamespacedPodEvictionAsync(eviction, pod.Metadata.Name, Ns);
        // A healthy pod: the Pending replacement of the evicted one is not protected by the budget.
        var second = (await PodsAsync()).First(p => p.Metadata.Name != pod.Metadata.Name
            && p.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);
        var again = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() =>
            Client.CoreV1.CreateNamespacedPodEvictionAsync(new V1Eviction { Metadata = new V1ObjectMeta { Name = second.Metadata.Name } }, second.Metadata.Name, Ns));
        Assert.Equal(429, (int)again.Response.StatusCode);
    }

    [Fact]
    public async Task NotReadyNode_MakesItsPodsUnready()
    {
        await DeployTwisterLabAsync();
        var onWorker = (await PodsAsync()).Where(p => p.Spec.NodeName == Worker).Select(p => p.Metadata.Name).ToHashSet();
        Assert.NotEmpty(onWorker);

        Cluster.Faults.SetNodeReady(Worker, false);
        var table = await Kubectl.SucceedAsync("get nodes");
        Assert.Matches($@"{Worker}\s+NotReady", table);
        await EventuallyAsync(() => PodsAsync(), pods => pods.Where(p => onWorker.Contains(p.Metadata.Name))
            .All(p => p.Status.Conditions.Any(c => c.Type == "Ready" && c.Status == "False")), "pods on the NotReady node are unready");

        Cluster.Faults.SetNodeReady(Worker, true);
        await EventuallyAsync(() => ReadDeploymentAsync(), d => d.Status.ReadyReplicas == 3, "the pods are ready again");
    }

    [Fact]
    public async Task VersionsCanBeUpgraded_AsARehearsedClusterUpgradeWould()
    {
        Assert.Contains("Server Version: v1.32.4", await Kubectl.SucceedAsync("version"));

        Cluster.ServerVersion = "v1.33.1";
        Cluster.SetKubeletVersion(Worker, "v1.33.1");

        var version = await Client.Version.GetCodeAsync();
        Assert.Equal("33", version.Minor);
        Assert.Contains("Server Version: v1.33.1", await Kubectl.SucceedAsync("version"));
        var nodes = await Kubectl.SucceedAsync("get nodes");
        Assert.Matches($@"{Worker}\s+Ready\s+<none>\s+\S+\s+v1.33.1", nodes);
        Assert.Matches(@"twisterlab-worker2\s+Ready\s+<none>\s+\S+\s+v1.32.4", nodes);
        var wide = await Kubectl.SucceedAsync("get nodes -o wide");
        Assert.Matches(@"twisterlab-worker2\s+Ready\s+<none>\s+\S+\s+v1.32.4\s+172\.18\.0\.\d+\s+<none>\s+TwisterLab KubeSim", wide);
    }

    static IEnumerable<string> PodNames(IEnumerable<V1Pod> pods) => pods.Select(p => p.Metadata.Name);
}
