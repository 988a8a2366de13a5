using k8s;
using k8s.Models;

namespace TwisterLab.KubeSim.Tests;

public sealed class RolloutTests : ClusterTest
{
    [Fact]
    public async Task SetImage_RollsOut_AndUndoReturnsToPreviousAndChosenRevision()
    {
        await DeployTwisterLabAsync();

        await Kubectl.SucceedAsync($"-n {Ns} set image deployment/twisterlab-api twisterlab-api=twisterlab-api:v2");
        var status = await Kubectl.SucceedAsync($"-n {Ns} rollout status deployment/twisterlab-api --timeout=30s");
        Assert.Contains("successfully rolled out", status);

        var api = await ReadDeploymentAsync();
        Assert.Equal("2", Revision(api.Metadata));
        Assert.Equal(api.Metadata.Generation, api.Status.ObservedGeneration);
        Assert.Equal(3, api.Status.UpdatedReplicas);
        var replicaSets = await ReplicaSetsAsync();
        Assert.Equal(2, replicaSets.Count);
        Assert.Equal(0, replicaSets.Single(r => Revision(r.Metadata) == "1").Spec.Replicas);
        Assert.Equal(3, replicaSets.Single(r => Revision(r.Metadata) == "2").Spec.Replicas);
        Assert.All(await PodsAsync(), p => Assert.Equal("twisterlab-api:v2", p.Spec.Containers.Single().Image));

        var history = await Kubectl.SucceedAsync($"-n {Ns} rollout history deployment/twisterlab-api");
        Assert.Matches(@"(?m)^1\s", history);
        Assert.Matches(@"(?m)^2\s", history);

        await Kubectl.SucceedAsync($"-n {Ns} rollout undo deployment/twisterlab-api");
        await Kubectl.SucceedAsync($"-n {Ns} rollout status deployment/twisterlab-api --timeout=30s");
        api = await ReadDeploymentAsync();
        Assert.Equal("twisterlab-api:v1", api.Spec.Template.Spec.Containers.Single().Image);
        Assert.Equal("3", Revision(api.Metadata));
        replicaSets = await ReplicaSetsAsync();
        // The undo re-uses the revision-1 ReplicaSet and renumbers it, as the real controller does.
        Assert.Equal(2, replicaSets.Count);
        var reused = replicaSets.Single(r => Revision(r.Metadata) == "3");
        Assert.Equal("1", reused.Metadata.Annotations["deployment.kubernetes.io/revision-history"]);
        Assert.Equal(3, reused.Spec.Replicas);

        await Kubectl.SucceedAsync($"-n {Ns} rollout undo deployment/twisterlab-api --to-revision=2");
        await Kubectl.SucceedAsync($"-n {Ns} rollout status deployment/twisterlab-api --timeout=30s");
        api = await ReadDeploymentAsync();
        Assert.Equal("twisterlab-api:v2", api.Spec.Template.Spec.Containers.Single().Image);
        Assert.Equal("4", Revision(api.Metadata));

        var described = await Kubectl.SucceedAsync($"-n {Ns} describe deployment twisterlab-api");
        Assert.Matches(@"ScalingReplicaSet\s.*Scaled up replica set twisterlab-api-\w+ from 0 to 1", described);
        var podEvents = (await Client.CoreV1.ListNamespacedEventAsync(Ns, fieldSelector: "reason=Started")).Items;
        Assert.Contains(podEvents, e => e.InvolvedObject.Kind == "Pod" && e.Source.Component == "kubelet");

        var missing = await Kubectl.RunAsync($"-n {Ns} rollout undo deployment/twisterlab-api --to-revision=42");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("unable to find specified revision 42", missing.Output);
    }

    [Fact]
    public async Task RolloutRestart_CreatesANewReplicaSetWithTheRestartAnnotation()
    {
        await DeployTwisterLabAsync();
        var before = (await PodsAsync()).Select(p => p.Metadata.Name).ToHashSet();

        await Kubectl.SucceedAsync($"-n {Ns} rollout restart deployment/twisterlab-api");
        await Kubectl.SucceedAsync($"-n {Ns} rollout status deployment/twisterlab-api --timeout=30s");

        var api = await ReadDeploymentAsync();
        Assert.True(api.Spec.Template.Metadata.Annotations.ContainsKey("kubectl.kubernetes.io/restartedAt"));
        Assert.Equal("2", Revision(api.Metadata));
        var pods = await EventuallyAsync(() => PodsAsync(), p => p.Count == 3, "only the 3 new pods remain");
        Assert.All(pods, p => Assert.DoesNotContain(p.Metadata.Name, before));
    }

    [Fact]
    public async Task UnreadyImage_EndsInProgressDeadlineExceeded_AndUndoRecovers()
    {
        Cluster.Faults.MakeImageNeverReady("twisterlab-api:broken*");
        await DeployTwisterLabAsync();
        await Kubectl.SucceedAsync($"-n {Ns} patch deployment twisterlab-api -p '{{\"spec\":{{\"progressDeadlineSeconds\":2}}}}'");
        await Kubectl.SucceedAsync($"-n {Ns} rollout status deployment/twisterlab-api --timeout=30s");

        await Kubectl.SucceedAsync($"-n {Ns} set image deployment/twisterlab-api twisterlab-api=twisterlab-api:broken-v2");
        var failed = await Kubectl.RunAsync($"-n {Ns} rollout status deployment/twisterlab-api --timeout=60s");
        Assert.Equal(1, failed.ExitCode);
        Assert.Contains("exceeded its progress deadline", failed.Output);

        var api = await ReadDeploymentAsync();
        var progressing = api.Status.Conditions.Single(c => c.Type == "Progressing");
        Assert.Equal("False", progressing.Status);
        Assert.Equal("ProgressDeadlineExceeded", progressing.Reason);
        // maxUnavailable 0: the three v1 pods keep serving while the surge pod never becomes ready.
        Assert.Equal(3, api.Status.AvailableReplicas);
        var broken = (await PodsAsync()).Where(p => p.Spec.Containers.Single().Image == "twisterlab-api:broken-v2").ToList();
        Assert.NotEmpty(broken);
        Assert.All(broken, p => Assert.Contains(p.Status.Conditions, c => c.Type == "Ready" && c.Status == "False"));

        await Kubectl.SucceedAsync($"-n {Ns} rollout undo deployment/twisterlab-api");
        await Kubectl.SucceedAsync($"-n {Ns} rollout status deployment/twisterlab-api --timeout=30s");
        api = await ReadDeploymentAsync();
        Assert.Equal("twisterlab-api:v1", api.Spec.Template.Spec.Containers.Single().Image);
        Assert.Contains(api.Status.Conditions, c => c.Type == "Progressing" && c.Reason == "NewReplicaSetAvailable");
        await EventuallyAsync(() => PodsAsync(), p => p.Count == 3 && p.All(x => x.Spec.Containers.Single().Image == "twisterlab-api:v1"),
            "only v1 pods remain");
    }

    [Fact]
    public async Task ScalingAStalledRollout_ScalesBothReplicaSetsProportionally()
    {
        Cluster.Faults.MakeImageNeverReady("twisterlab-api:broken");
        var manifest = (await File.ReadAllTextAsync(ManifestPath))
            .Replace("maxSurge: 1", "maxSurge: 25%").Replace("maxUnavailable: 0", "maxUnavailable: 25%").Replace("replicas: 3", "replicas: 4");
        await Kubectl.SucceedAsync("apply -f -", manifest);
        await Kubectl.SucceedAsync($"-n {Ns} rollout status deployment/twisterlab-api --timeout=30s");

        // 4 replicas, surge 1, unavailable 1: old scales to 3, new to 2, and the new pods never become ready.
        await Kubectl.SucceedAsync($"-n {Ns} set image deployment/twisterlab-api twisterlab-api=twisterlab-api:broken");
        await EventuallyAsync(() => ReplicaSetsAsync(), r => Sizes(r) == "2/3", "the rollout stalls at 3 old + 2 new");

        // Scaling to 8 grows both in proportion, up to 8 + surge 2.
        await Kubectl.SucceedAsync($"-n {Ns} scale deployment/twisterlab-api --replicas=8");
        await EventuallyAsync(() => ReplicaSetsAsync(), r => Sizes(r) == "4/6", "both replica sets grow proportionally");

        await Kubectl.SucceedAsync($"-n {Ns} rollout undo deployment/twisterlab-api");
        await Kubectl.SucceedAsync($"-n {Ns} rollout status deployment/twisterlab-api --timeout=30s");
        Assert.Equal("0/8", Sizes(await ReplicaSetsAsync()));

        static string Sizes(IList<V1ReplicaSet> replicaSets) =>
            string.Join("/", replicaSets.OrderBy(r => r.Spec.Template.Spec.Containers.Single().Image == "twisterlab-api:v1").Select(r => r.Spec.Replicas));
    }

    [Fact]
    public async Task RolloutStatus_TimesOut_WhileImagesCannotBePulled()
    {
        Cluster.Faults.MakeImageUnpullable("twisterlab-api:missing");
        await DeployTwisterLabAsync();
        await Kubectl.SucceedAsync($"-n {Ns} set image deployment/twisterlab-api twisterlab-api=twisterlab-api:missing");

        var result = await Kubectl.RunAsync($"-n {Ns} rollout status deployment/twisterlab-api --timeout=2s");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("timed out waiting for the condition", result.Output);

        var pulling = await EventuallyAsync(() => PodsAsync(),
            pods => pods.Any(p => p.Status.ContainerStatuses?.SingleOrDefault()?.State.Waiting?.Reason == "ImagePullBackOff"),
            "a pod reports ImagePullBackOff");
        Assert.Contains(pulling, p => p.Status.Phase == "Pending");
    }

    [Fact]
    public async Task CrashLoopingImage_ShowsCrashLoopBackOffWithRisingRestarts()
    {
        Cluster.Faults.MakeImageCrashLoop("redis:*");
        await Kubectl.SucceedAsync($"apply -f {ManifestPath}");
        var first = await EventuallyAsync(() => PodsAsync("app=redis"),
            p => p.SingleOrDefault()?.Status.ContainerStatuses?.Single().State.Waiting?.Reason == "CrashLoopBackOff", "redis crash-loops");
        var restarts = first.Single().Status.ContainerStatuses.Single().RestartCount;
        await EventuallyAsync(() => PodsAsync("app=redis"),
            p => p.Single().Status.ContainerStatuses.Single().RestartCount > restarts, "the restart count rises");
        var table = await Kubectl.SucceedAsync($"-n {Ns} get pods -l app=redis");
        Assert.Contains("CrashLoopBackOff", table);
        var backOff = await EventuallyAsync(() => Client.CoreV1.ListNamespacedEventAsync(Ns, fieldSelector: "reason=BackOff"),
            e => e.Items.Any(x => x.Type == "Warning" && x.InvolvedObject.Name == first.Single().Metadata.Name), "a BackOff warning is recorded");
        Assert.Contains("Back-off restarting failed container redis", backOff.Items.First().Message);
    }

    [Fact]
    public async Task PausedDeployment_DoesNotRollOut_UntilResumed()
    {
        await DeployTwisterLabAsync();
        await Kubectl.SucceedAsync($"-n {Ns} rollout pause deployment/twisterlab-api");
        await Kubectl.SucceedAsync($"-n {Ns} set image deployment/twisterlab-api twisterlab-api=twisterlab-api:v2");
        var paused = await EventuallyAsync(() => ReadDeploymentAsync(),
            d => d.Status.Conditions.Any(c => c.Type == "Progressing" && c.Reason == "DeploymentPaused"), "the deployment reports it is paused");
        Assert.Single(await ReplicaSetsAsync());
        Assert.Equal("1", Revision(paused.Metadata));

        await Kubectl.SucceedAsync($"-n {Ns} rollout resume deployment/twisterlab-api");
        await Kubectl.SucceedAsync($"-n {Ns} rollout status deployment/twisterlab-api --timeout=30s");
        Assert.Equal("2", Revision((await ReadDeploymentAsync()).Metadata));
    }

    [Fact]
    public async Task RecreateStrategy_StopsOldPodsBeforeStartingNewOnes()
    {
        await DeployTwisterLabAsync();
        var seenTogether = false;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var watching = Task.Run(async () =>
        {
            while (!cts.IsCancellationRequested)
            {
                var images = (await PodsAsync("app=postgres")).Select(p => p.Spec.Containers.Single().Image).Distinct().Count();
                if (images > 1) seenTogether = true;
                await Task.Delay(20);
            }
        });
        await Kubectl.SucceedAsync($"-n {Ns} set image deployment/postgres postgres=postgres:16");
        await Kubectl.SucceedAsync($"-n {Ns} rollout status deployment/postgres --timeout=30s");
        cts.Cancel();
        await watching;
        Assert.False(seenTogether, "Recreate must never run old and new pods together");
        Assert.Equal("postgres:16", (await PodsAsync("app=postgres")).Single().Spec.Containers.Single().Image);
    }

    [Fact]
    public async Task WaitForReady_SucceedsForTheSelectedPods()
    {
        await Kubectl.SucceedAsync($"apply -f {ManifestPath}");
        await EventuallyAsync(() => PodsAsync(), p => p.Count == 3, "three pods exist");
        var output = await Kubectl.SucceedAsync($"-n {Ns} wait --for=condition=ready pod -l app=twisterlab-api --timeout=30s");
        Assert.Equal(3, output.Split('\n').Count(l => l.Contains("condition met")));
        Assert.All(await PodsAsync(), p => Assert.Contains(p.Status.Conditions, c => c.Type == "Ready" && c.Status == "True"));
    }
}
