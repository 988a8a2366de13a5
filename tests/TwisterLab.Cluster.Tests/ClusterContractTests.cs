using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Rollback.Cluster;
using TwisterLab.Cake.Safety;

namespace TwisterLab.Cluster.Tests;

/// <summary>Runs the contract against the simulator (always).</summary>
public sealed class ClusterContractOnSimulator : ClusterContractTests
{
    protected override Task<TestCluster> StartAsync() => TestCluster.StartSimulatorAsync();
}

/// <summary>Runs the same contract against the real cluster named by TWISTERLAB_TEST_KUBECONTEXT; skipped (and reported so) otherwise.</summary>
public sealed class ClusterContractOnRealCluster : ClusterContractTests
{
    protected override Task<TestCluster> StartAsync()
    {
        // In a pipeline that promises a cluster, a skip would hide that the contract never ran: fail instead.
        if (TestCluster.RealContext is null && Environment.GetEnvironmentVariable("TWISTERLAB_TEST_REQUIRE_REAL_CLUSTER") == "1")
        {
            throw new InvalidOperationException($"TWISTERLAB_TEST_REQUIRE_REAL_CLUSTER=1 but {TestCluster.RealContextVariable} is not set");
        }

        Skip.If(TestCluster.RealContext is null, $"set {TestCluster.RealContextVariable} to a kubeconfig context to run the cluster contract against a real cluster");
        return TestCluster.StartRealAsync();
    }
}

/// <summary>
/// Each gateway action and the correctness of its compensation: apply the undo and the object is as before,
/// field by field; apply it twice and nothing changes (handlers are idempotent).
/// </summary>
public abstract class ClusterContractTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    protected abstract Task<TestCluster> StartAsync();

    [SkippableFact]
    public async Task Set_image_returns_the_revision_before_and_undo_to_it_restores_the_template()
    {
        await using var cluster = await StartAsync();
        await cluster.CreateDeploymentAsync("web", "nginx:1.25", replicas: 2);
        await cluster.WaitRolledOutAsync("web");
        var before = await cluster.Gateway.Deployments.GetAsync("web", None);

        var result = await cluster.Gateway.Deployments.SetImageAsync("web", "app", "nginx:1.26", None);
        await cluster.WaitRolledOutAsync("web");

        Assert.Equal(1, result.PreviousRevision);
        Assert.Equal("nginx:1.25", result.PreviousImage);
        var changed = await cluster.Gateway.Deployments.GetAsync("web", None);
        Assert.Equal("nginx:1.26", changed.Spec.Template.Spec.Containers[0].Image);
        Assert.Equal(2, RolloutRules.Revision(changed));

        var undo = new UndoToRevision("web", cluster.Namespace, result.PreviousRevision);
        var handler = new UndoToRevisionHandler(cluster.Gateway);
        await handler.ApplyAsync(undo, None);
        await cluster.WaitRolledOutAsync("web");
        await handler.ApplyAsync(undo, None); // idempotent: the revision was renumbered, the template already matches
        await cluster.WaitRolledOutAsync("web");

        var after = await cluster.Gateway.Deployments.GetAsync("web", None);
        AssertSameJson(before.Spec.Template, after.Spec.Template);
        Assert.Equal(before.Spec.Replicas, after.Spec.Replicas);
        Assert.Equal(3, RolloutRules.Revision(after)); // the controller re-numbers the old template, as kubectl shows
    }

    [SkippableFact]
    public async Task Set_image_of_an_unknown_container_names_the_containers_and_changes_nothing()
    {
        await using var cluster = await StartAsync();
        await cluster.CreateDeploymentAsync("web", "nginx:1.25", replicas: 1);
        var exception = await Assert.ThrowsAsync<ClusterException>(() => cluster.Gateway.Deployments.SetImageAsync("web", "nope", "nginx:1.26", None));
        Assert.Contains("no container 'nope'", exception.Message);
        Assert.Contains("app", exception.Message);
        Assert.Equal("nginx:1.25", (await cluster.Gateway.Deployments.GetAsync("web", None)).Spec.Template.Spec.Containers[0].Image);
    }

    [SkippableFact]
    public async Task Scale_returns_the_previous_replicas_and_scale_back_restores_them()
    {
        await using var cluster = await StartAsync();
        await cluster.CreateDeploymentAsync("api", "nginx:1.25", replicas: 3);
        await cluster.WaitRolledOutAsync("api");

        var previous = await cluster.Gateway.Deployments.ScaleAsync("api", 0, None);
        await cluster.WaitRolledOutAsync("api");
        Assert.Equal(3, previous);
        Assert.Equal(0, (await cluster.Gateway.Deployments.GetAsync("api", None)).Spec.Replicas);

        var handler = new ScaleBackHandler(cluster.Gateway);
        await handler.ApplyAsync(new ScaleBack("api", cluster.Namespace, previous), None);
        await handler.ApplyAsync(new ScaleBack("api", cluster.Namespace, previous), None);
        await cluster.WaitRolledOutAsync("api");
        var after = await cluster.Gateway.Deployments.GetAsync("api", None);
        Assert.Equal(3, after.Spec.Replicas);
        Assert.Equal(3, after.Status.AvailableReplicas);
    }

    [SkippableFact]
    public async Task Switching_a_service_selector_returns_the_previous_one_and_the_restore_is_exact()
    {
        await using var cluster = await StartAsync();
        await cluster.CreateDeploymentAsync("api-v1", "nginx:1.25", 2, new Dictionary<string, string> { ["app"] = "api", ["version"] = "v1" });
        await cluster.CreateDeploymentAsync("api-v2", "nginx:1.26", 2, new Dictionary<string, string> { ["app"] = "api", ["version"] = "v2" });
        await cluster.CreateServiceAsync("api", new Dictionary<string, string> { ["app"] = "api", ["version"] = "v1" });
        await cluster.WaitRolledOutAsync("api-v1");
        await cluster.WaitRolledOutAsync("api-v2");
        var before = await cluster.Gateway.Services.GetAsync("api", None);

        var previous = await cluster.Gateway.Services.PatchSelectorAsync("api", new Dictionary<string, string> { ["version"] = "v2" }, None);

        Assert.Equal(new Dictionary<string, string> { ["app"] = "api", ["version"] = "v1" }, previous);
        Assert.Equal("v2", (await cluster.Gateway.Services.GetAsync("api", None)).Spec.Selector["version"]);

        var handler = new RestoreServiceSelectorHandler(cluster.Gateway);
        await handler.ApplyAsync(new RestoreServiceSelector("api", cluster.Namespace, previous), None);
        await handler.ApplyAsync(new RestoreServiceSelector("api", cluster.Namespace, previous), None);
        var after = await cluster.Gateway.Services.GetAsync("api", None);
        AssertSameJson(before.Spec, after.Spec);
    }

    [SkippableFact]
    public async Task Switching_to_a_selector_whose_pods_are_not_ready_is_refused()
    {
        await using var cluster = await StartAsync();
        await cluster.CreateDeploymentAsync("api-v1", "nginx:1.25", 1, new Dictionary<string, string> { ["app"] = "api", ["version"] = "v1" });
        await cluster.CreateServiceAsync("api", new Dictionary<string, string> { ["app"] = "api", ["version"] = "v1" });

        var exception = await Assert.ThrowsAsync<ClusterException>(() =>
            cluster.Gateway.Services.PatchSelectorAsync("api", new Dictionary<string, string> { ["version"] = "v3" }, None));

        Assert.Contains("no pod matches", exception.Message);
        Assert.Equal("v1", (await cluster.Gateway.Services.GetAsync("api", None)).Spec.Selector["version"]);
    }

    [SkippableFact]
    public async Task Setting_a_secret_key_returns_the_previous_value_and_the_restore_puts_it_back_without_plain_text_in_the_record()
    {
        await using var cluster = await StartAsync();
        const string oldUrl = "postgresql://app:old-s3cret@postgres-13:5432/twisterlab";
        const string newUrl = "postgresql://app:new-s3cret@postgres-16:5432/twisterlab";
        await cluster.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "twisterlab-secrets" },
            StringData = new Dictionary<string, string> { ["DATABASE_URL"] = oldUrl, ["OTHER"] = "kept" },
        }, cluster.Namespace);
        var before = await cluster.Client.CoreV1.ReadNamespacedSecretAsync("twisterlab-secrets", cluster.Namespace);

        var previous = await cluster.Gateway.Secrets.SetKeyAsync("twisterlab-secrets", "DATABASE_URL", newUrl, None);
        Assert.Equal(oldUrl, previous);
        Assert.Equal(newUrl, await cluster.Gateway.Secrets.ReadKeyAsync("twisterlab-secrets", "DATABASE_URL", None));

        var stash = new SecretStash(Directory.CreateTempSubdirectory("stash-").FullName);
        var record = new RestoreSecretKey("twisterlab-secrets", cluster.Namespace, "DATABASE_URL", stash.Protect(previous!));
        var journalText = System.Text.Json.JsonSerializer.Serialize(record);
        Assert.DoesNotContain("old-s3cret", journalText);
        Assert.DoesNotContain("old-s3cret", record.Describe());

        var handler = new RestoreSecretKeyHandler(cluster.Gateway, stash);
        await handler.ApplyAsync(record, None);
        await handler.ApplyAsync(record, None);
        var after = await cluster.Client.CoreV1.ReadNamespacedSecretAsync("twisterlab-secrets", cluster.Namespace);
        Assert.Equal(before.Data.Keys.Order(), after.Data.Keys.Order());
        foreach (var key in before.Data.Keys)
        {
            Assert.Equal(before.Data[key], after.Data[key]);
        }
    }

    [SkippableFact]
    public async Task Restoring_a_secret_key_that_did_not_exist_removes_it()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "s" },
            StringData = new Dictionary<string, string> { ["A"] = "alpha" },
        }, cluster.Namespace);

        var previous = await cluster.Gateway.Secrets.SetKeyAsync("s", "DATABASE_URL", "postgresql://x:y@z/db", None);
        Assert.Null(previous);
        var handler = new RestoreSecretKeyHandler(cluster.Gateway, new SecretStash(Directory.CreateTempSubdirectory("stash-").FullName));
        await handler.ApplyAsync(new RestoreSecretKey("s", cluster.Namespace, "DATABASE_URL", null), None);
        await handler.ApplyAsync(new RestoreSecretKey("s", cluster.Namespace, "DATABASE_URL", null), None);

        var after = await cluster.Client.CoreV1.ReadNamespacedSecretAsync("s", cluster.Namespace);
        Assert.Equal(["A"], after.Data.Keys.ToList());
    }

    [SkippableFact]
    public async Task Wait_ready_returns_the_ready_pods_of_a_selector()
    {
        await using var cluster = await StartAsync();
        await cluster.CreateDeploymentAsync("pg", "postgres:16", replicas: 2);
        var ready = await cluster.Gateway.Pods.WaitReadyAsync("app=pg", TimeSpan.FromSeconds(60), None);
        Assert.Equal(2, ready.Count);
        var pods = await cluster.Client.CoreV1.ListNamespacedPodAsync(cluster.Namespace, labelSelector: "app=pg");
        Assert.All(pods.Items, pod => Assert.True(RolloutRules.IsReady(pod)));
    }

    [SkippableFact]
    public async Task Wait_ready_with_no_matching_pod_times_out_naming_the_selector()
    {
        await using var cluster = await StartAsync();
        var exception = await Assert.ThrowsAsync<RolloutFailedException>(() => cluster.Gateway.Pods.WaitReadyAsync("app=nothing", TimeSpan.FromMilliseconds(500), None));
        Assert.Equal(RolloutFailure.TimedOut, exception.Failure);
        Assert.Contains("no pod matches -l app=nothing", exception.Message);
    }

    [SkippableFact]
    public async Task Undo_without_revision_goes_to_the_previous_one_and_history_lists_both()
    {
        await using var cluster = await StartAsync();
        await cluster.CreateDeploymentAsync("web", "nginx:1.25", replicas: 1);
        await cluster.WaitRolledOutAsync("web");
        await cluster.Gateway.Deployments.SetImageAsync("web", "app", "nginx:1.26", None);
        await cluster.WaitRolledOutAsync("web");

        var history = await cluster.Gateway.Deployments.HistoryAsync("web", None);
        Assert.Equal([1L, 2L], history.Select(entry => entry.Revision).ToList());
        Assert.Equal("nginx:1.25", history[0].Images["app"]);

        var undo = await cluster.Gateway.Deployments.UndoAsync("web", null, None);
        await cluster.WaitRolledOutAsync("web");
        Assert.Equal((2L, 1L, false), (undo.FromRevision, undo.ToRevision, undo.Skipped));
        Assert.Equal("nginx:1.25", (await cluster.Gateway.Deployments.GetAsync("web", None)).Spec.Template.Spec.Containers[0].Image);

        var missing = await Assert.ThrowsAsync<ClusterException>(() => cluster.Gateway.Deployments.UndoAsync("web", 42, None));
        Assert.Contains("unable to find specified revision 42", missing.Message);
    }

    [SkippableFact]
    public async Task Restart_stamps_the_template_and_rolls_out_new_pods()
    {
        await using var cluster = await StartAsync();
        await cluster.CreateDeploymentAsync("web", "nginx:1.25", replicas: 2);
        await cluster.WaitRolledOutAsync("web");
        var podsBefore = (await cluster.Client.CoreV1.ListNamespacedPodAsync(cluster.Namespace, labelSelector: "app=web")).Items.Select(pod => pod.Metadata.Name).ToHashSet();

        var revision = await cluster.Gateway.Deployments.RestartAsync("web", None);
        await cluster.WaitRolledOutAsync("web");

        Assert.Equal(1, revision);
        var after = await cluster.Gateway.Deployments.GetAsync("web", None);
        Assert.True(after.Spec.Template.Metadata.Annotations.ContainsKey("kubectl.kubernetes.io/restartedAt"));
        var podsAfter = (await cluster.Client.CoreV1.ListNamespacedPodAsync(cluster.Namespace, labelSelector: "app=web")).Items
            .Where(pod => pod.Metadata.DeletionTimestamp is null).Select(pod => pod.Metadata.Name).ToHashSet();
        Assert.Empty(podsBefore.Intersect(podsAfter));
    }

    [SkippableFact]
    public async Task Delete_is_refused_in_production_without_confirmation_and_the_delete_deployment_undo_is_idempotent()
    {
        await using var cluster = await StartAsync();
        await cluster.CreateDeploymentAsync("green", "nginx:1.26", replicas: 1);

        var refused = await Assert.ThrowsAsync<ClusterException>(() => cluster.Gateway.Deployments.DeleteAsync("green", new DestructiveGuard(Production: true, Confirmed: false), None));
        Assert.Contains("--confirm", refused.Message);
        Assert.NotNull(await cluster.Gateway.Deployments.FindAsync("green", None));

        var handler = new DeleteDeploymentHandler(cluster.Gateway);
        await handler.ApplyAsync(new DeleteDeployment("green", cluster.Namespace), None);
        await handler.ApplyAsync(new DeleteDeployment("green", cluster.Namespace), None);
        Assert.Null(await cluster.Gateway.Deployments.FindAsync("green", None));
    }

    [SkippableFact]
    public async Task Delete_claim_needs_confirmation_in_production()
    {
        await using var cluster = await StartAsync();
        await cluster.Client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(new V1PersistentVolumeClaim
        {
            Metadata = new V1ObjectMeta { Name = "postgres-13-data" },
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") } },
            },
        }, cluster.Namespace);

        await Assert.ThrowsAsync<ClusterException>(() => cluster.Gateway.Volumes.DeleteClaimAsync("postgres-13-data", new DestructiveGuard(true, false), None));
        Assert.True(await cluster.Gateway.Volumes.DeleteClaimAsync("postgres-13-data", DestructiveGuard.ConfirmedProduction, None));
        Assert.False(await cluster.Gateway.Volumes.DeleteClaimAsync("postgres-13-data", DestructiveGuard.ConfirmedProduction, None));
    }

    [SkippableFact]
    public async Task Run_lock_lets_one_run_in_and_names_the_holder_to_the_second()
    {
        await using var cluster = await StartAsync();
        await using var first = cluster.Gateway.RunLock("alice@ci run-1", TimeSpan.FromSeconds(30));
        await first.AcquireAsync(None);

        await using var second = cluster.Gateway.RunLock("bob@laptop run-2", TimeSpan.FromSeconds(30));
        var held = await Assert.ThrowsAsync<RunLockHeldException>(() => second.AcquireAsync(None));
        Assert.Equal("alice@ci run-1", held.Holder);
        Assert.Contains("alice@ci run-1", held.Message);
        Assert.Contains("since", held.Message);

        await first.ReleaseAsync(None);
        await second.AcquireAsync(None);
        Assert.True(second.IsHeld);
        var lease = await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync(RunLock.LeaseName, cluster.Namespace);
        Assert.Equal("bob@laptop run-2", lease.Spec.HolderIdentity);
    }

    [SkippableFact]
    public async Task A_stale_lease_is_taken_over()
    {
        await using var cluster = await StartAsync();
        var past = DateTime.UtcNow.AddMinutes(-10);
        await cluster.Client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = RunLock.LeaseName },
            Spec = new V1LeaseSpec { HolderIdentity = "dead-run", LeaseDurationSeconds = 60, AcquireTime = past, RenewTime = past, LeaseTransitions = 0 },
        }, cluster.Namespace);

        await using var runLock = cluster.Gateway.RunLock("new-run", TimeSpan.FromSeconds(30));
        await runLock.AcquireAsync(None);

        var lease = await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync(RunLock.LeaseName, cluster.Namespace);
        Assert.Equal("new-run", lease.Spec.HolderIdentity);
        Assert.Equal(1, lease.Spec.LeaseTransitions);
    }

    [SkippableFact]
    public async Task The_run_lock_is_renewed_while_held_and_deleted_on_release()
    {
        await using var cluster = await StartAsync();
        await using var runLock = cluster.Gateway.RunLock("renewing-run", TimeSpan.FromSeconds(1.5));
        await runLock.AcquireAsync(None);
        var first = (await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync(RunLock.LeaseName, cluster.Namespace)).Spec.RenewTime;

        // Watch the lease until a renewal lands (no sleeping on a guess).
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await foreach (var (_, lease) in cluster.Client.CoordinationV1.WatchListNamespacedLeaseAsync(cluster.Namespace, fieldSelector: $"metadata.name={RunLock.LeaseName}", cancellationToken: limit.Token))
        {
            if (lease.Spec.RenewTime > first)
            {
                break;
            }
        }

        Assert.True(runLock.IsHeld);
        await runLock.ReleaseAsync(None);
        var leases = await cluster.Client.CoordinationV1.ListNamespacedLeaseAsync(cluster.Namespace);
        Assert.Empty(leases.Items);
    }

    [SkippableFact]
    public async Task A_run_whose_lease_was_taken_over_knows_it_lost_the_lock()
    {
        await using var cluster = await StartAsync();
        await using var runLock = cluster.Gateway.RunLock("slow-run", TimeSpan.FromSeconds(30));
        await runLock.AcquireAsync(None);
        runLock.EnsureHeld();

        var lease = await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync(RunLock.LeaseName, cluster.Namespace);
        lease.Spec.HolderIdentity = "other-run";
        await cluster.Client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, RunLock.LeaseName, cluster.Namespace);
        await runLock.RenewAsync(None);

        Assert.False(runLock.IsHeld);
        Assert.Equal("other-run", runLock.LostTo);
        var exception = Assert.Throws<RunLockLostException>(runLock.EnsureHeld);
        Assert.Equal("other-run", exception.NewHolder);
        Assert.Contains("lost", exception.Message);
        await runLock.ReleaseAsync(None);
        Assert.Equal("other-run", (await cluster.Client.CoordinationV1.ReadNamespacedLeaseAsync(RunLock.LeaseName, cluster.Namespace)).Spec.HolderIdentity);
    }

    [SkippableFact]
    public async Task Nodes_list_with_kubelet_versions_and_the_server_version()
    {
        await using var cluster = await StartAsync();
        var nodes = await cluster.Gateway.Nodes.ListAsync(None);
        Assert.NotEmpty(nodes);
        Assert.All(nodes, node => Assert.StartsWith("v1.", node.KubeletVersion));
        var version = await cluster.Gateway.Nodes.ServerVersionAsync(None);
        Assert.Equal("1", version.Major);
        Assert.StartsWith("v1.", version.GitVersion);
    }

    internal static void AssertSameJson(object expected, object actual)
    {
        var left = JsonNode.Parse(KubernetesJson.Serialize(expected));
        var right = JsonNode.Parse(KubernetesJson.Serialize(actual));
        Assert.True(JsonNode.DeepEquals(left, right), $"expected\n{left}\nactual\n{right}");
    }
}
