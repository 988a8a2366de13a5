using k8s;
using k8s.Models;
using TwisterLab.Cake.Cluster;
using TwisterLab.KubeSim;

namespace TwisterLab.Cluster.Tests;

/// <summary>Failure paths that need the simulator's fault injection: bad images, throttling, 5xx, drops, watch drops.</summary>
public sealed class FaultTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task An_unpullable_image_fails_the_rollout_at_once_with_the_pods_and_their_reason()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        cluster.Sim!.Faults.MakeImageUnpullable("twisterlab-api:v2.0-typo");
        await cluster.CreateDeploymentAsync("api", "twisterlab-api:v1.9", replicas: 2);
        await cluster.WaitRolledOutAsync("api");

        await cluster.Gateway.Deployments.SetImageAsync("api", "app", "twisterlab-api:v2.0-typo", None);
        var failure = await Assert.ThrowsAsync<RolloutFailedException>(() =>
            cluster.Gateway.Deployments.WaitForRolloutAsync("api", new RolloutWaitOptions(TimeSpan.FromSeconds(60)), None));

        Assert.Equal(RolloutFailure.PodFailing, failure.Failure);
        Assert.NotEmpty(failure.FailingPods);
        Assert.All(failure.FailingPods, pod => Assert.Matches("ErrImagePull|ImagePullBackOff", pod.Reason));
        Assert.All(failure.FailingPods, pod => Assert.StartsWith("api-", pod.Pod));
        Assert.Contains(failure.FailingPods[0].Pod, failure.Message);
    }

    [Fact]
    public async Task A_crash_looping_new_pod_fails_the_rollout_past_the_restart_threshold()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        cluster.Sim!.Faults.MakeImageCrashLoop("redis:7.2-broken");
        await cluster.CreateDeploymentAsync("redis", "redis:7.0", replicas: 1);
        await cluster.WaitRolledOutAsync("redis");

        await cluster.Gateway.Deployments.SetImageAsync("redis", "app", "redis:7.2-broken", None);
        var failure = await Assert.ThrowsAsync<RolloutFailedException>(() =>
            cluster.Gateway.Deployments.WaitForRolloutAsync("redis", new RolloutWaitOptions(TimeSpan.FromSeconds(60), CrashLoopRestarts: 2), None));

        Assert.Equal(RolloutFailure.PodFailing, failure.Failure);
        Assert.Contains("CrashLoopBackOff", failure.FailingPods.Single().Reason);
    }

    [Fact]
    public async Task Old_pods_that_crash_loop_do_not_fail_the_rollout_that_replaces_them()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        cluster.Sim!.Faults.MakeImageCrashLoop("app:broken");
        await cluster.CreateDeploymentAsync("app", "app:broken", replicas: 1);

        await cluster.Gateway.Deployments.SetImageAsync("app", "app", "app:fixed", None);
        var message = await cluster.Gateway.Deployments.WaitForRolloutAsync("app", new RolloutWaitOptions(TimeSpan.FromSeconds(60), CrashLoopRestarts: 1), None);
        Assert.Equal("deployment \"app\" successfully rolled out", message);
    }

    [Fact]
    public async Task An_image_that_never_becomes_ready_exceeds_the_progress_deadline_with_the_failing_pods()
    {
        await using var cluster = await StuckRolloutWithShortDeadlineAsync();
        var lines = new List<string>();
        var failure = await Assert.ThrowsAsync<RolloutFailedException>(() =>
            cluster.Gateway.Deployments.WaitForRolloutAsync("api", new RolloutWaitOptions(TimeSpan.FromSeconds(60), Progress: lines.Add), None));

        Assert.Equal(RolloutFailure.ProgressDeadlineExceeded, failure.Failure);
        Assert.Contains("deployment \"api\" exceeded its progress deadline", failure.Message);
        Assert.NotEmpty(failure.FailingPods);
        Assert.All(failure.FailingPods, pod => Assert.StartsWith("api-", pod.Pod));
        Assert.All(failure.FailingPods, pod => Assert.False(string.IsNullOrWhiteSpace(pod.Reason)));
        Assert.Contains(lines, line => line.StartsWith("Waiting for deployment \"api\" rollout to finish", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_deadline_that_passed_before_the_wait_began_still_names_the_failing_pods()
    {
        await using var cluster = await StuckRolloutWithShortDeadlineAsync();
        // The deployment's first event settles the wait, before the pods' watch has listed anything.
        await WaitForConditionReasonAsync(cluster, "api", "ProgressDeadlineExceeded");

        var failure = await Assert.ThrowsAsync<RolloutFailedException>(() =>
            cluster.Gateway.Deployments.WaitForRolloutAsync("api", new RolloutWaitOptions(TimeSpan.FromSeconds(60)), None));

        Assert.Equal(RolloutFailure.ProgressDeadlineExceeded, failure.Failure);
        Assert.NotEmpty(failure.FailingPods);
        Assert.All(failure.FailingPods, pod => Assert.StartsWith("api-", pod.Pod));
    }

    [Fact]
    public async Task The_timeout_fails_the_wait_and_names_the_unready_pods()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        cluster.Sim!.Faults.MakeImageNeverReady("slow:1");
        await cluster.CreateDeploymentAsync("slow", "slow:1", replicas: 1);

        var failure = await Assert.ThrowsAsync<RolloutFailedException>(() =>
            cluster.Gateway.Deployments.WaitForRolloutAsync("slow", new RolloutWaitOptions(TimeSpan.FromMilliseconds(800)), None));

        Assert.Equal(RolloutFailure.TimedOut, failure.Failure);
        Assert.Contains("timed out waiting for the condition", failure.Message);
        Assert.Single(failure.FailingPods);
    }

    [Fact]
    public async Task Progress_lines_report_available_replicas_while_pods_become_ready()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync(options => options.PodStartDelay = TimeSpan.FromMilliseconds(150));
        await cluster.CreateDeploymentAsync("web", "nginx:1.25", replicas: 3);
        await cluster.WaitRolledOutAsync("web");
        await cluster.Gateway.Deployments.SetImageAsync("web", "app", "nginx:1.26", None);
        var lines = new List<string>();
        await cluster.Gateway.Deployments.WaitForRolloutAsync("web", new RolloutWaitOptions(TimeSpan.FromSeconds(60), Progress: lines.Add), None);

        Assert.NotEmpty(lines);
        Assert.All(lines, line => Assert.Matches(@"^Waiting for (deployment spec update to be observed|deployment ""web"" rollout to finish: (\d+ out of 3 new replicas have been updated|\d+ old replicas are pending termination|\d+ of \d+ updated replicas are available))\.\.\.$", line));
        Assert.Equal(lines.Count, lines.Distinct().Count());
    }

    [Fact]
    public async Task A_dropped_watch_mid_rollout_is_resumed_and_the_wait_completes()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync(options => options.PodStartDelay = TimeSpan.FromMilliseconds(150));
        await cluster.CreateDeploymentAsync("web", "nginx:1.25", replicas: 3);
        await cluster.WaitRolledOutAsync("web");
        var resumesBefore = cluster.Gateway.Deployments.WatchResumes;

        await cluster.Gateway.Deployments.SetImageAsync("web", "app", "nginx:1.26", None);
        var dropped = 0;
        var lines = 0;

        // The first line comes from the initial list; from the second one on, it comes from the open watch: drop it then.
        var message = await cluster.Gateway.Deployments.WaitForRolloutAsync("web", new RolloutWaitOptions(TimeSpan.FromSeconds(60), Progress: _ =>
        {
            if (++lines == 2)
            {
                dropped = cluster.Sim!.Faults.DropWatches();
            }
        }), None);

        Assert.Equal("deployment \"web\" successfully rolled out", message);
        Assert.True(dropped > 0, "the simulator had no open watch to drop");
        Assert.True(cluster.Gateway.Deployments.WatchResumes > resumesBefore, "the wait never resumed a watch");
    }

    [Fact]
    public async Task A_rollout_wait_makes_the_same_few_requests_however_long_it_takes()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync(options => options.PodStartDelay = TimeSpan.FromMilliseconds(250));
        await cluster.CreateDeploymentAsync("web", "nginx:1.25", replicas: 4);
        await cluster.WaitRolledOutAsync("web");
        await cluster.Gateway.Deployments.SetImageAsync("web", "app", "nginx:1.26", None);
        var lines = new List<string>();
        var before = cluster.Gateway.Requests!.Count;

        await cluster.Gateway.Deployments.WaitForRolloutAsync("web", new RolloutWaitOptions(TimeSpan.FromSeconds(60), Progress: lines.Add), None);

        // list + watch of the deployment, list + watch of its pods: no polling, however many updates.
        Assert.True(lines.Count >= 3, $"expected several progress lines, got {lines.Count}");
        Assert.Equal(4, cluster.Gateway.Requests.Count - before);
    }

    [Fact]
    public async Task A_rollout_wait_rides_out_failing_list_and_watch_requests()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync(options => options.PodStartDelay = TimeSpan.FromMilliseconds(300));
        await cluster.CreateDeploymentAsync("web", "nginx:1.25", replicas: 3);
        await cluster.WaitRolledOutAsync("web");
        await cluster.Gateway.Deployments.SetImageAsync("web", "app", "nginx:1.26", None);

        // The list and watch requests of the deployment and of its pods fail a few times: 500, a dropped connection, 429.
        cluster.Sim!.Faults.FailRequest("GET", "/apis/apps/v1/namespaces/*/deployments", RequestFault.InternalError, times: 2);
        cluster.Sim.Faults.FailRequest("GET", "/apis/apps/v1/namespaces/*/deployments", RequestFault.Drop, nth: 2, times: 1);
        cluster.Sim.Faults.FailRequest("GET", "/api/v1/namespaces/*/pods", RequestFault.TooManyRequests, times: 2);
        var resumes = cluster.Gateway.Deployments.WatchResumes;

        var message = await cluster.Gateway.Deployments.WaitForRolloutAsync("web", new RolloutWaitOptions(TimeSpan.FromSeconds(60)), None);

        Assert.Equal("deployment \"web\" successfully rolled out", message);
        Assert.True(cluster.Gateway.Deployments.WatchResumes > resumes, "the dropped watch request was not resumed");

        // Every injected fault was spent on the wait's requests: plain calls (no retry) now go through.
        await cluster.Client.AppsV1.ListNamespacedDeploymentAsync(cluster.Namespace);
        await cluster.Client.AppsV1.ListNamespacedDeploymentAsync(cluster.Namespace);
        await cluster.Client.CoreV1.ListNamespacedPodAsync(cluster.Namespace);
    }

    [Fact]
    public async Task A_burst_of_429_is_retried_and_the_action_succeeds()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        await cluster.CreateDeploymentAsync("web", "nginx:1.25", replicas: 1);
        cluster.Sim!.Faults.FailRequest("PATCH", "/apis/apps/v1/namespaces/*/deployments/web", RequestFault.TooManyRequests, times: 3);
        var before = cluster.Gateway.Requests!.Count;

        await cluster.Gateway.Deployments.SetImageAsync("web", "app", "nginx:1.26", None);
        var requests = cluster.Gateway.Requests.Count - before;

        Assert.Equal("nginx:1.26", (await cluster.Gateway.Deployments.GetAsync("web", None)).Spec.Template.Spec.Containers[0].Image);
        Assert.Equal(1 + 4, requests); // GET + 3 refused PATCHes + the one that passed
    }

    [Fact]
    public async Task Internal_errors_and_dropped_connections_are_retried()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        await cluster.CreateDeploymentAsync("web", "nginx:1.25", replicas: 2);
        cluster.Sim!.Faults.FailRequest("GET", "/apis/apps/v1/namespaces/*/deployments/web/scale", RequestFault.InternalError, times: 2);
        cluster.Sim.Faults.FailRequest("PATCH", "/apis/apps/v1/namespaces/*/deployments/web/scale", RequestFault.Drop, times: 1);

        var previous = await cluster.Gateway.Deployments.ScaleAsync("web", 4, None);

        Assert.Equal(2, previous);
        Assert.Equal(4, (await cluster.Gateway.Deployments.GetAsync("web", None)).Spec.Replicas);
    }

    [Fact]
    public async Task Failures_that_outlast_the_retries_name_the_verb_the_resource_and_the_fix()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        await cluster.CreateDeploymentAsync("web", "nginx:1.25", replicas: 1);
        cluster.Sim!.Faults.FailRequest("GET", "/apis/apps/v1/namespaces/*/deployments/web", RequestFault.InternalError, times: 100);

        var exception = await Assert.ThrowsAsync<ClusterException>(() => cluster.Gateway.Deployments.GetAsync("web", None));

        Assert.Equal(500, exception.StatusCode);
        Assert.Contains($"get deployment/web in namespace {cluster.Namespace}", exception.Message);
        Assert.Contains("control plane", exception.Message);
    }

    [Fact]
    public async Task Not_found_is_not_retried_and_says_what_to_check()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        var before = cluster.Gateway.Requests!.Count;

        var exception = await Assert.ThrowsAsync<ClusterException>(() => cluster.Gateway.Deployments.ScaleAsync("missing", 1, None));

        Assert.Equal(1, cluster.Gateway.Requests.Count - before);
        Assert.Equal(404, exception.StatusCode);
        Assert.Contains("deployment/missing", exception.Message);
        Assert.Contains("--namespace", exception.Message);
    }

    [Fact]
    public async Task An_invalid_object_is_a_422_that_is_not_retried()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        await cluster.CreateDeploymentAsync("web", "nginx:1.25", replicas: 1);
        var before = cluster.Gateway.Requests!.Count;

        // spec.selector is immutable in apps/v1: the server answers 422.
        var exception = await Assert.ThrowsAsync<ClusterException>(() => cluster.Gateway.Api.CallAsync("change the selector of deployment/web",
            token => cluster.Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("{\"spec\":{\"selector\":{\"matchLabels\":{\"app\":\"other\"}}}}", V1Patch.PatchType.MergePatch), "web", cluster.Namespace, cancellationToken: token), None));

        Assert.Equal(422, exception.StatusCode);
        Assert.Equal(1, cluster.Gateway.Requests.Count - before);
        Assert.Contains("fix the manifest", exception.Message);
    }

    [Fact]
    public async Task Waiting_for_a_missing_deployment_says_it_does_not_exist()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        var exception = await Assert.ThrowsAsync<ClusterException>(() => cluster.Gateway.Deployments.WaitForRolloutAsync("nope", new RolloutWaitOptions(TimeSpan.FromSeconds(10)), None));
        Assert.Equal(404, exception.StatusCode);
        Assert.Contains("deployment/nope", exception.Message);
    }

    [Fact]
    public async Task A_rollout_of_a_deleted_deployment_fails()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        cluster.Sim!.Faults.MakeImageNeverReady("never:1");
        await cluster.CreateDeploymentAsync("gone", "never:1", replicas: 1);
        var watching = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var wait = cluster.Gateway.Deployments.WaitForRolloutAsync("gone", new RolloutWaitOptions(TimeSpan.FromSeconds(60), Progress: _ => watching.TrySetResult()), None);
        await watching.Task; // the wait has seen the deployment: now it goes away under it
        await cluster.Client.AppsV1.DeleteNamespacedDeploymentAsync("gone", cluster.Namespace);

        var failure = await Assert.ThrowsAsync<RolloutFailedException>(() => wait);
        Assert.Equal(RolloutFailure.Deleted, failure.Failure);
    }

    /// <summary>
    /// Deployment "api" rolled out at v1.9, then set to a v2.0 that never becomes ready, with a progress deadline of 1 s.
    /// The short deadline comes only once the bad pods exist: a loaded machine must neither time out the first rollout
    /// nor let the deadline pass before the controller has created a pod to name.
    /// </summary>
    private static async Task<TestCluster> StuckRolloutWithShortDeadlineAsync()
    {
        var cluster = await TestCluster.StartSimulatorAsync();
        try
        {
            cluster.Sim!.Faults.MakeImageNeverReady("twisterlab-api:v2.0");
            await cluster.CreateDeploymentAsync("api", "twisterlab-api:v1.9", replicas: 2);
            await cluster.WaitRolledOutAsync("api");
            await cluster.Gateway.Deployments.SetImageAsync("api", "app", "twisterlab-api:v2.0", None);
            await WaitForPodWithImageAsync(cluster, "twisterlab-api:v2.0");
            await cluster.Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("{\"spec\":{\"progressDeadlineSeconds\":1}}", V1Patch.PatchType.MergePatch), "api", cluster.Namespace);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private static async Task WaitForConditionReasonAsync(TestCluster cluster, string deployment, string reason)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var status = (await cluster.Client.AppsV1.ReadNamespacedDeploymentAsync(deployment, cluster.Namespace)).Status;
            if (status?.Conditions?.Any(condition => condition.Reason == reason) == true)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"deployment/{deployment} never reported {reason} in 30 s");
    }

    private static async Task WaitForPodWithImageAsync(TestCluster cluster, string image)
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var pods = await cluster.Client.CoreV1.ListNamespacedPodAsync(cluster.Namespace);
            if (pods.Items.Any(pod => pod.Spec.Containers.Any(container => container.Image == image)))
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"no pod with {image} after 30 s");
    }
}
