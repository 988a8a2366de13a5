using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace TwisterLab.KubeSim.Tests;

public sealed class FaultTests : ClusterTest
{
    [Fact]
    public async Task TheNthMatchingRequest_FailsWithTheChosenFault()
    {
        Cluster.Faults.FailRequest("GET", "/api/v1/namespaces/*/configmaps/*", RequestFault.InternalError, nth: 2);
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "cm" } }, "default");

        await Client.CoreV1.ReadNamespacedConfigMapAsync("cm", "default");
        var failed = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReadNamespacedConfigMapAsync("cm", "default"));
        Assert.Equal(HttpStatusCode.InternalServerError, failed.Response.StatusCode);
        await Client.CoreV1.ReadNamespacedConfigMapAsync("cm", "default");

        Cluster.Faults.FailRequest("PATCH", "/api/v1/namespaces/default/configmaps/cm", RequestFault.TooManyRequests);
        var throttled = await Assert.ThrowsAsync<HttpOperationException>(() =>
            Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{}", V1Patch.PatchType.MergePatch), "cm", "default"));
        Assert.Equal((HttpStatusCode)429, throttled.Response.StatusCode);

        Cluster.Faults.FailRequest("*", "/api/v1/namespaces/default/configmaps/cm", RequestFault.Drop);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => Client.CoreV1.ReadNamespacedConfigMapAsync("cm", "default"));
        await Client.CoreV1.ReadNamespacedConfigMapAsync("cm", "default");
    }

    [Fact]
    public async Task DelayedReadiness_KeepsPodsRunningButUnready_UntilTheDelayPasses()
    {
        Cluster.Faults.DelayReadiness("redis:*", TimeSpan.FromSeconds(2));
        await Kubectl.SucceedAsync($"apply -f {ManifestPath}");
        var running = await EventuallyAsync(() => PodsAsync("app=redis"), p => p.SingleOrDefault()?.Status.Phase == "Running", "redis runs");
        Assert.Contains(running.Single().Status.Conditions, c => c.Type == "Ready" && c.Status == "False");
        await Kubectl.SucceedAsync($"-n {Ns} wait --for=condition=ready pod -l app=redis --timeout=30s");
    }

    [Fact]
    public async Task DroppedWatches_EndTheStreamForTheClient()
    {
        var closed = new TaskCompletionSource();
        using var watcher = Client.CoreV1.WatchListNamespacedPod("default", onEvent: (_, _) => { }, onClosed: () => closed.TrySetResult());
        await EventuallyAsync(() => Task.FromResult(Cluster.OpenWatches), n => n > 0, "the watch is open");

        Assert.True(Cluster.Faults.DropWatches() > 0);
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
