using k8s;
using k8s.Models;

namespace TwisterLab.KubeSim.Tests;

/// <summary>Each test gets its own cluster on its own port, with fast clocks, so tests run in parallel.</summary>
public abstract class ClusterTest : IAsyncLifetime
{
    protected SimulatedCluster Cluster { get; private set; } = null!;
    protected Kubectl Kubectl { get; private set; } = null!;
    protected Kubernetes Client { get; private set; } = null!;

    protected static readonly string ManifestPath = Path.Combine(AppContext.BaseDirectory, "Manifests", "twisterlab.yaml");
    protected const string Ns = "twisterlab";

    protected virtual void Configure(SimulatorOptions options) { }

    public async Task InitializeAsync()
    {
        var options = new SimulatorOptions
        {
            PodStartDelay = TimeSpan.FromMilliseconds(100),
            ControllerInterval = TimeSpan.FromMilliseconds(50),
        };
        Configure(options);
        Cluster = await SimulatedCluster.StartAsync(options);
        Kubectl = new Kubectl(Cluster);
        Client = new Kubernetes(Cluster.ClientConfiguration);
    }

    public virtual async Task DisposeAsync()
    {
        Client.Dispose();
        await Cluster.DisposeAsync();
    }

    /// <summary>Applies the TwisterLab manifest set and waits until every deployment has rolled out.</summary>
    protected async Task DeployTwisterLabAsync(bool serverSide = false)
    {
        await Kubectl.SucceedAsync($"apply {(serverSide ? "--server-side " : "")}-f {ManifestPath}");
        foreach (var name in new[] { "twisterlab-api", "postgres", "redis" })
            await Kubectl.SucceedAsync($"-n {Ns} rollout status deployment/{name} --timeout=30s");
    }

    /// <summary>Polls the cluster until the condition holds (the simulator is asynchronous, like a real one).</summary>
    protected static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        T value = await read();
        while (!condition(value))
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"timed out waiting until {what}");
            await Task.Delay(50);
            value = await read();
        }
        return value;
    }

    protected Task<V1Deployment> ReadDeploymentAsync(string name = "twisterlab-api") =>
        Client.AppsV1.ReadNamespacedDeploymentAsync(name, Ns);

    /// <summary>The pods of a selector; terminating pods (still listed, as on a real cluster) only when asked for.</summary>
    protected async Task<IList<V1Pod>> PodsAsync(string selector = "app=twisterlab-api", bool includeTerminating = false) =>
        (await Client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: selector)).Items
            .Where(p => includeTerminating || p.Metadata.DeletionTimestamp is null).ToList();

    protected async Task<IList<V1ReplicaSet>> ReplicaSetsAsync(string selector = "app=twisterlab-api") =>
        (await Client.AppsV1.ListNamespacedReplicaSetAsync(Ns, labelSelector: selector)).Items;

    protected static string? Revision(V1ObjectMeta meta) =>
        meta.Annotations?.TryGetValue("deployment.kubernetes.io/revision", out var r) == true ? r : null;
}
