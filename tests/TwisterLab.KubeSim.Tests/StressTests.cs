using System.Diagnostics;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Xunit.Abstractions;

namespace TwisterLab.KubeSim.Tests;

/// <summary>
/// 100 concurrent clients doing get/put/patch/watch. Lasts 3 s in the suite; for the 30 s measurement run
/// <c>KUBESIM_STRESS_SECONDS=30 dotnet test tests/TwisterLab.KubeSim.Tests --filter StressTests --logger "console;verbosity=detailed"</c>.
/// Checks outcomes, never speed: no lost update, conflicts surface as 409, watches see every change in order,
/// nothing hangs, and watches and memory are released afterwards.
/// </summary>
public sealed class StressTests(ITestOutputHelper output) : ClusterTest
{
    /// <summary>KUBESIM_STRESS_HTTPS=1 runs the same load over HTTPS (the sandbox's transport).</summary>
    protected override void Configure(SimulatorOptions options) =>
        options.Https = Environment.GetEnvironmentVariable("KUBESIM_STRESS_HTTPS") == "1";

    const int Writers = 80;
    const int Watchers = 20;

    [Fact]
    public async Task HundredConcurrentClients_LoseNoUpdate_AndDoNotDeadlock()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("KUBESIM_STRESS_SECONDS"), out var s) ? s : 3;
        var duration = TimeSpan.FromSeconds(seconds);
        var config = Cluster.ClientConfiguration;
        await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "counter" }, Data = new Dictionary<string, string> { ["value"] = "0" } }, "default");
        for (var i = 0; i < Writers; i++)
            await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"client-{i}" }, Data = new Dictionary<string, string> { ["patches"] = "0" } }, "default");

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        long successfulPuts = 0, conflicts = 0, gets = 0, otherErrors = 0, watchEvents = 0, watchGaps = 0;
        var patchesPerClient = new long[Writers];
        long memoryMidway = 0;
        using var stop = new CancellationTokenSource(duration);
        var watch = Stopwatch.StartNew();

        var writers = Enumerable.Range(0, Writers).Select(i => Task.Run(async () =>
        {
            using var client = new Kubernetes(config);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    // Read-modify-write with the resourceVersion: a lost race must be a 409, never a lost increment.
                    var counter = await client.CoreV1.ReadNamespacedConfigMapAsync("counter", "default");
                    Interlocked.Increment(ref gets);
                    counter.Data["value"] = (long.Parse(counter.Data["value"]) + 1).ToString();
                    try
                    {
                        await client.CoreV1.ReplaceNamespacedConfigMapAsync(counter, "counter", "default");
                        Interlocked.Increment(ref successfulPuts);
                    }
                    catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
                    {
                        Interlocked.Increment(ref conflicts);
                    }
                    var patch = new V1Patch($"{{\"data\":{{\"patches\":\"{patchesPerClient[i] + 1}\"}}}}", V1Patch.PatchType.MergePatch);
                    await client.CoreV1.PatchNamespacedConfigMapAsync(patch, $"client-{i}", "default");
                    patchesPerClient[i]++;
                }
                catch (Exception e) when (e is HttpOperationException or HttpRequestException)
                {
                    Interlocked.Increment(ref otherErrors);
                }
            }
        })).ToList();

        var watchers = Enumerable.Range(0, Watchers).Select(_ => Task.Run(async () =>
        {
            using var client = new Kubernetes(config);
            var start = await client.CoreV1.ReadNamespacedConfigMapAsync("counter", "default");
            var resourceVersion = start.Metadata.ResourceVersion;
            var last = long.Parse(start.Data["value"]);
            while (!stop.IsCancellationRequested)
            {
                // Short watches resumed from the last resourceVersion: every increment must arrive once, in order.
                using var slice = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                slice.CancelAfter(TimeSpan.FromMilliseconds(500));
                try
                {
                    await foreach (var (type, cm) in client.CoreV1.WatchListNamespacedConfigMapAsync("default",
                        fieldSelector: "metadata.name=counter", resourceVersion: resourceVersion, cancellationToken: slice.Token))
                    {
                        var value = long.Parse(cm.Data["value"]);
                        if (value != last + 1) Interlocked.Increment(ref watchGaps);
                        last = value;
                        resourceVersion = cm.Metadata.ResourceVersion;
                        Interlocked.Increment(ref watchEvents);
                    }
                }
                catch (OperationCanceledException) { }
                catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
                {
                    Interlocked.Increment(ref otherErrors);
                }
            }
        })).ToList();

        _ = Task.Run(async () =>
        {
            await Task.Delay(duration / 2);
            memoryMidway = GC.GetTotalMemory(forceFullCollection: true);
        });
        var all = Task.WhenAll(writers.Concat(watchers));
        var finished = await Task.WhenAny(all, Task.Delay(duration + TimeSpan.FromSeconds(60)));
        Assert.True(finished == all, "the clients did not finish: a request hung (deadlock?)");
        await all;
        watch.Stop();

        var final = await Client.CoreV1.ReadNamespacedConfigMapAsync("counter", "default");
        Assert.Equal(successfulPuts, long.Parse(final.Data["value"]));
        for (var i = 0; i < Writers; i++)
            Assert.Equal(patchesPerClient[i], long.Parse((await Client.CoreV1.ReadNamespacedConfigMapAsync($"client-{i}", "default")).Data["patches"]));
        Assert.True(successfulPuts > 0);
        Assert.True(conflicts > 0, "100 clients racing on one object must see 409 conflicts");
        Assert.Equal(0, watchGaps);
        Assert.Equal(0, otherErrors);
        // A watch ends on the server when it notices the client's connection close, which can lag (seconds under load).
        var openWhenDone = Cluster.OpenWatches;
        await EventuallyAsync(() => Task.FromResult(Cluster.OpenWatches), n => n == 0, "every watch is released", seconds: 90);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        var memoryAfter = GC.GetTotalMemory(forceFullCollection: true);
        var requests = gets + successfulPuts + conflicts + patchesPerClient.Sum();
        output.WriteLine($"{Writers} writers + {Watchers} watchers for {watch.Elapsed.TotalSeconds:F1} s: " +
            $"{requests} requests ({requests / watch.Elapsed.TotalSeconds:F0}/s), {successfulPuts} successful PUTs, {conflicts} conflicts (409), " +
            $"{patchesPerClient.Sum()} patches, {watchEvents} watch events, {openWhenDone} watches still open when the clients stopped, heap before {memoryBefore / 1024 / 1024} MB, midway {memoryMidway / 1024 / 1024} MB, after {memoryAfter / 1024 / 1024} MB");
    }
}
