// Cluster gateway bench (not part of the solution; never run by the tests).
//   dotnet run -c Release --project bench/Cluster -- [rollouts=15]
// 1. Latency: from the simulator emitting the watch event that completes a rollout (seen by an independent raw watch
//    on the same server) to WaitForRolloutAsync returning. Goal: median <= 100 ms, with no polling.
// 2. API calls per rollout-status wait: the gateway's request counter vs the requests kubectl rollout status -v=6 logs.
using System.Diagnostics;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using TwisterLab.Cake.Cluster;
using TwisterLab.KubeSim;

var rollouts = args.Length > 0 ? int.Parse(args[0]) : 15;
await using var sim = await SimulatedCluster.StartAsync(new SimulatorOptions { PodStartDelay = TimeSpan.FromMilliseconds(100), ControllerInterval = TimeSpan.FromMilliseconds(50) });
using var gateway = ClusterGateway.Connect(sim.ClientConfiguration, new ClusterConnection(Namespace: "default"));
var labels = new Dictionary<string, string> { ["app"] = "bench" };
await gateway.Client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
{
    Metadata = new V1ObjectMeta { Name = "bench" },
    Spec = new V1DeploymentSpec
    {
        Replicas = 3,
        Selector = new V1LabelSelector { MatchLabels = labels },
        Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = labels }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = "bench:0" }] } },
    },
}, "default");
var options = new RolloutWaitOptions(TimeSpan.FromMinutes(2));
await gateway.Deployments.WaitForRolloutAsync("bench", options, CancellationToken.None);

var latencies = new List<double>();
var calls = new List<long>();
for (var i = 1; i <= rollouts; i++)
{
    await gateway.Deployments.SetImageAsync("bench", "app", $"bench:{i}", CancellationToken.None);
    using var observer = new CancellationTokenSource();
    var completedAt = ObserveCompletionAsync(sim, observer.Token);
    var before = gateway.Requests!.Count;
    await gateway.Deployments.WaitForRolloutAsync("bench", options, CancellationToken.None);
    var returnedAt = Stopwatch.GetTimestamp();
    calls.Add(gateway.Requests.Count - before);
    var completed = await completedAt;
    latencies.Add(Stopwatch.GetElapsedTime(completed, returnedAt).TotalMilliseconds);
    observer.Cancel();
}

latencies.Sort();
Console.WriteLine($"rollouts: {rollouts}");
Console.WriteLine($"completion event -> gateway returned: median {latencies[latencies.Count / 2]:0.0} ms, p90 {latencies[(int)(latencies.Count * 0.9)]:0.0} ms, max {latencies[^1]:0.0} ms (negative = the gateway saw it before the observer)");
Console.WriteLine($"gateway API calls per rollout-status wait: median {calls.Order().ElementAt(calls.Count / 2)}, min {calls.Min()}, max {calls.Max()} (list+watch of the deployment, list+watch of its pods; + a list of replica sets only when a pod looks failing)");

// The same wait by the real kubectl, counting the requests it logs at -v=6.
await gateway.Deployments.SetImageAsync("bench", "app", "bench:kubectl", CancellationToken.None);
var cache = Directory.CreateTempSubdirectory("bench-kubectl-").FullName;
var start = new ProcessStartInfo("kubectl", ["--kubeconfig", sim.KubeconfigPath, "--cache-dir", cache, "-v=6", "rollout", "status", "deployment/bench", "-n", "default", "--timeout=120s"])
{
    RedirectStandardError = true,
    RedirectStandardOutput = true,
};
using var kubectl = Process.Start(start)!;
var stderr = await kubectl.StandardError.ReadToEndAsync();
await kubectl.WaitForExitAsync();
var requests = stderr.Split('\n').Where(line => line.Contains("round_trippers") && System.Text.RegularExpressions.Regex.IsMatch(line, @"\] ""?(GET|POST|PUT|PATCH|DELETE) ")).ToList();
var discovery = requests.Count(line => line.Contains("/api?") || line.Contains("/apis?") || line.Contains("/version") || System.Text.RegularExpressions.Regex.IsMatch(line, @"/apis?/[^/?]+(/[^/?]+)?\?timeout"));
Console.WriteLine($"kubectl rollout status -v=6: {requests.Count} requests ({discovery} of them discovery/version, {requests.Count - discovery} for the wait), exit {kubectl.ExitCode}");

static async Task<long> ObserveCompletionAsync(SimulatedCluster sim, CancellationToken cancellationToken)
{
    // An independent watch with a plain HttpClient: timestamps the first event that shows the rollout complete.
    using var http = new HttpClient { BaseAddress = sim.BaseUri, Timeout = Timeout.InfiniteTimeSpan };
    using var response = await http.GetAsync("/apis/apps/v1/namespaces/default/deployments?watch=true&fieldSelector=metadata.name%3Dbench", HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
    while (await reader.ReadLineAsync(cancellationToken) is { } line)
    {
        var stamp = Stopwatch.GetTimestamp();
        var deployment = KubernetesJson.Deserialize<V1Deployment>(JsonNode.Parse(line)!["object"]!.ToJsonString());
        if (RolloutRules.Evaluate(deployment).State == RolloutState.Complete)
        {
            return stamp;
        }
    }

    throw new InvalidOperationException("the observer's watch ended");
}
