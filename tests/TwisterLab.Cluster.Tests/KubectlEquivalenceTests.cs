using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using TwisterLab.Cake.Cluster;

namespace TwisterLab.Cluster.Tests;

/// <summary>
/// For each action, the kubectl command it describes, run by the real kubectl against the simulator, has the same
/// effect as the action: the action runs in one namespace, the described command in a twin namespace, and the
/// objects are compared.
/// </summary>
public sealed class KubectlEquivalenceTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private sealed record Twins(TestCluster Cluster, ClusterGateway Ours, ClusterGateway Theirs) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Cluster.DisposeAsync();
    }

    private static async Task<Twins> StartAsync()
    {
        var cluster = await TestCluster.StartSimulatorAsync();
        var twin = cluster.Namespace + "-k";
        await cluster.Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = twin } });
        return new Twins(cluster, cluster.Gateway, cluster.Gateway.InNamespace(twin));
    }

    private static async Task CreateDeploymentInBothAsync(Twins twins, string name, string image, int replicas, IDictionary<string, string>? labels = null)
    {
        foreach (var gateway in new[] { twins.Ours, twins.Theirs })
        {
            var all = new Dictionary<string, string> { ["app"] = name };
            foreach (var (key, value) in labels ?? new Dictionary<string, string>())
            {
                all[key] = value;
            }

            await gateway.Client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
            {
                Metadata = new V1ObjectMeta { Name = name },
                Spec = new V1DeploymentSpec
                {
                    Replicas = replicas,
                    Selector = new V1LabelSelector { MatchLabels = all },
                    Template = new V1PodTemplateSpec
                    {
                        Metadata = new V1ObjectMeta { Labels = all },
                        Spec = new V1PodSpec { Containers = [new V1Container { Name = "app", Image = image }] },
                    },
                },
            }, gateway.Namespace);
            await gateway.Deployments.WaitForRolloutAsync(name, new RolloutWaitOptions(TimeSpan.FromSeconds(30)), None);
        }
    }

    private static async Task<(V1Deployment Ours, V1Deployment Theirs)> BothAsync(Twins twins, string name) =>
        (await twins.Ours.Deployments.GetAsync(name, None), await twins.Theirs.Deployments.GetAsync(name, None));

    private static JsonNode? Template(V1Deployment deployment)
    {
        var node = JsonNode.Parse(KubernetesJson.Serialize(deployment.Spec.Template))!;
        node["metadata"]?["annotations"]?.AsObject().Remove("kubectl.kubernetes.io/restartedAt");
        return node;
    }

    [Fact]
    public async Task Set_image()
    {
        await using var twins = await StartAsync();
        await CreateDeploymentInBothAsync(twins, "web", "nginx:1.25", 2);

        await twins.Ours.Deployments.SetImageAsync("web", "app", "nginx:1.26", None);
        await twins.Cluster.KubectlSucceedsAsync(twins.Theirs.Deployments.CommandSetImage("web", "app", "nginx:1.26"));

        await twins.Ours.Deployments.WaitForRolloutAsync("web", new RolloutWaitOptions(TimeSpan.FromSeconds(30)), None);
        await twins.Theirs.Deployments.WaitForRolloutAsync("web", new RolloutWaitOptions(TimeSpan.FromSeconds(30)), None);
        var (ours, theirs) = await BothAsync(twins, "web");
        Assert.True(JsonNode.DeepEquals(Template(ours), Template(theirs)));
        Assert.Equal(RolloutRules.Revision(ours), RolloutRules.Revision(theirs));
    }

    [Fact]
    public async Task Scale()
    {
        await using var twins = await StartAsync();
        await CreateDeploymentInBothAsync(twins, "api", "nginx:1.25", 3);

        await twins.Ours.Deployments.ScaleAsync("api", 1, None);
        await twins.Cluster.KubectlSucceedsAsync(twins.Theirs.Deployments.CommandScale("api", 1));

        var (ours, theirs) = await BothAsync(twins, "api");
        Assert.Equal(1, ours.Spec.Replicas);
        Assert.Equal(ours.Spec.Replicas, theirs.Spec.Replicas);
    }

    [Fact]
    public async Task Rollout_status()
    {
        await using var twins = await StartAsync();
        await CreateDeploymentInBothAsync(twins, "web", "nginx:1.25", 2);
        await twins.Ours.Deployments.SetImageAsync("web", "app", "nginx:1.26", None);

        var ours = await twins.Ours.Deployments.WaitForRolloutAsync("web", new RolloutWaitOptions(TimeSpan.FromSeconds(30)), None);
        var theirs = await twins.Cluster.KubectlSucceedsAsync(twins.Ours.Deployments.CommandRolloutStatus("web", TimeSpan.FromSeconds(30)));

        Assert.Equal(ours, theirs.Trim().Split('\n').Last());
    }

    [Fact]
    public async Task Rollout_status_past_the_progress_deadline_fails_both_ways()
    {
        await using var twins = await StartAsync();
        twins.Cluster.Sim!.Faults.MakeImageNeverReady("nginx:broken");
        await CreateDeploymentInBothAsync(twins, "web", "nginx:1.25", 1);
        await twins.Ours.Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("{\"spec\":{\"progressDeadlineSeconds\":1}}", V1Patch.PatchType.MergePatch), "web", twins.Ours.Namespace);
        await twins.Ours.Deployments.SetImageAsync("web", "app", "nginx:broken", None);

        var ours = await Assert.ThrowsAsync<RolloutFailedException>(() => twins.Ours.Deployments.WaitForRolloutAsync("web", new RolloutWaitOptions(TimeSpan.FromSeconds(30)), None));
        var theirs = await twins.Cluster.KubectlAsync(twins.Ours.Deployments.CommandRolloutStatus("web", TimeSpan.FromSeconds(30)).Arguments);

        Assert.Equal(RolloutFailure.ProgressDeadlineExceeded, ours.Failure);
        Assert.NotEqual(0, theirs.ExitCode);
        Assert.Contains("deployment \"web\" exceeded its progress deadline", theirs.StdErr);
        Assert.StartsWith("deployment \"web\" exceeded its progress deadline", ours.Message);
    }

    [Fact]
    public async Task Rollout_undo_to_a_revision_and_to_the_previous_one()
    {
        await using var twins = await StartAsync();
        await CreateDeploymentInBothAsync(twins, "web", "nginx:1.25", 1);
        foreach (var gateway in new[] { twins.Ours, twins.Theirs })
        {
            await gateway.Deployments.SetImageAsync("web", "app", "nginx:1.26", None);
            await gateway.Deployments.WaitForRolloutAsync("web", new RolloutWaitOptions(TimeSpan.FromSeconds(30)), None);
            await gateway.Deployments.SetImageAsync("web", "app", "nginx:1.27", None);
            await gateway.Deployments.WaitForRolloutAsync("web", new RolloutWaitOptions(TimeSpan.FromSeconds(30)), None);
        }

        await twins.Ours.Deployments.UndoAsync("web", 1, None);
        await twins.Cluster.KubectlSucceedsAsync(twins.Theirs.Deployments.CommandUndo("web", 1));
        await AssertSameRolloutAsync(twins, "web");

        await twins.Ours.Deployments.UndoAsync("web", null, None);
        await twins.Cluster.KubectlSucceedsAsync(twins.Theirs.Deployments.CommandUndo("web"));
        var (ours, _) = await AssertSameRolloutAsync(twins, "web");
        Assert.Equal("nginx:1.27", ours.Spec.Template.Spec.Containers[0].Image);
    }

    private static async Task<(V1Deployment, V1Deployment)> AssertSameRolloutAsync(Twins twins, string name)
    {
        await twins.Ours.Deployments.WaitForRolloutAsync(name, new RolloutWaitOptions(TimeSpan.FromSeconds(30)), None);
        await twins.Theirs.Deployments.WaitForRolloutAsync(name, new RolloutWaitOptions(TimeSpan.FromSeconds(30)), None);
        var (ours, theirs) = await BothAsync(twins, name);
        Assert.True(JsonNode.DeepEquals(Template(ours), Template(theirs)), $"{KubernetesJson.Serialize(ours.Spec.Template)}\n{KubernetesJson.Serialize(theirs.Spec.Template)}");
        Assert.Equal(RolloutRules.Revision(ours), RolloutRules.Revision(theirs));
        Assert.Equal(ours.Metadata.Annotations.Where(a => a.Key != "deployment.kubernetes.io/revision-history").OrderBy(a => a.Key), theirs.Metadata.Annotations.Where(a => a.Key != "deployment.kubernetes.io/revision-history").OrderBy(a => a.Key));
        return (ours, theirs);
    }

    [Fact]
    public async Task Rollout_history()
    {
        await using var twins = await StartAsync();
        await CreateDeploymentInBothAsync(twins, "web", "nginx:1.25", 1);
        await twins.Ours.Deployments.SetImageAsync("web", "app", "nginx:1.26", None);
        await twins.Ours.Deployments.WaitForRolloutAsync("web", new RolloutWaitOptions(TimeSpan.FromSeconds(30)), None);

        var ours = await twins.Ours.Deployments.HistoryAsync("web", None);
        var theirs = await twins.Cluster.KubectlSucceedsAsync(twins.Ours.Deployments.CommandHistory("web"));

        var revisions = theirs.Split('\n').Skip(2).Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(parts => parts.Length > 0 && long.TryParse(parts[0], out _)).Select(parts => long.Parse(parts[0])).ToList();
        Assert.Equal(revisions, ours.Select(entry => entry.Revision).ToList());
    }

    [Fact]
    public async Task Rollout_restart()
    {
        await using var twins = await StartAsync();
        await CreateDeploymentInBothAsync(twins, "web", "nginx:1.25", 1);

        await twins.Ours.Deployments.RestartAsync("web", None);
        await twins.Cluster.KubectlSucceedsAsync(twins.Theirs.Deployments.CommandRestart("web"));

        var (ours, theirs) = await AssertSameRolloutAsync(twins, "web");
        Assert.True(DateTimeOffset.TryParse(ours.Spec.Template.Metadata.Annotations["kubectl.kubernetes.io/restartedAt"], out _));
        Assert.True(DateTimeOffset.TryParse(theirs.Spec.Template.Metadata.Annotations["kubectl.kubernetes.io/restartedAt"], out _));
        Assert.Equal(2, RolloutRules.Revision(ours));
    }

    [Fact]
    public async Task Patch_service_selector_and_its_restore()
    {
        await using var twins = await StartAsync();
        await CreateDeploymentInBothAsync(twins, "api-v2", "nginx:1.26", 1, new Dictionary<string, string> { ["app"] = "api", ["version"] = "v2" });
        foreach (var gateway in new[] { twins.Ours, twins.Theirs })
        {
            await gateway.Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
            {
                Metadata = new V1ObjectMeta { Name = "api" },
                Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app"] = "api", ["version"] = "v1" }, Ports = [new V1ServicePort { Port = 80 }] },
            }, gateway.Namespace);
        }

        var change = new Dictionary<string, string> { ["version"] = "v2" };
        var previous = await twins.Ours.Services.PatchSelectorAsync("api", change, None);
        await twins.Cluster.KubectlSucceedsAsync(twins.Theirs.Services.CommandPatchSelector("api", change));
        Assert.Equal((await twins.Ours.Services.GetSelectorAsync("api", None)).OrderBy(p => p.Key), (await twins.Theirs.Services.GetSelectorAsync("api", None)).OrderBy(p => p.Key));

        await twins.Ours.Services.ReplaceSelectorAsync("api", previous, None);
        await twins.Cluster.KubectlSucceedsAsync(twins.Theirs.Services.CommandReplaceSelector("api", previous));
        Assert.Equal(previous.OrderBy(p => p.Key), (await twins.Theirs.Services.GetSelectorAsync("api", None)).OrderBy(p => p.Key));
        Assert.Equal(previous.OrderBy(p => p.Key), (await twins.Ours.Services.GetSelectorAsync("api", None)).OrderBy(p => p.Key));
    }

    [Fact]
    public async Task Patch_secret_key_and_its_description_masks_the_value()
    {
        await using var twins = await StartAsync();
        foreach (var gateway in new[] { twins.Ours, twins.Theirs })
        {
            await gateway.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = "twisterlab-secrets" },
                StringData = new Dictionary<string, string> { ["DATABASE_URL"] = "postgresql://a:old@pg13/db", ["X"] = "y" },
            }, gateway.Namespace);
        }

        const string value = "postgresql://a:n3w-pw@pg16/db";
        await twins.Ours.Secrets.SetKeyAsync("twisterlab-secrets", "DATABASE_URL", value, None);
        var command = twins.Theirs.Secrets.CommandSetKey("twisterlab-secrets", "DATABASE_URL", value);
        await twins.Cluster.KubectlSucceedsAsync(command);

        Assert.DoesNotContain("n3w-pw", command.ToString());
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(value)), command.ToString());
        var ours = await twins.Ours.Client.CoreV1.ReadNamespacedSecretAsync("twisterlab-secrets", twins.Ours.Namespace);
        var theirs = await twins.Theirs.Client.CoreV1.ReadNamespacedSecretAsync("twisterlab-secrets", twins.Theirs.Namespace);
        Assert.Equal(ours.Data.Keys.Order(), theirs.Data.Keys.Order());
        Assert.All(ours.Data.Keys, key => Assert.Equal(ours.Data[key], theirs.Data[key]));
        Assert.Equal(value, await twins.Theirs.Secrets.ReadKeyAsync("twisterlab-secrets", "DATABASE_URL", None));
    }

    [Fact]
    public async Task Delete_deployment_and_pvc()
    {
        await using var twins = await StartAsync();
        await CreateDeploymentInBothAsync(twins, "postgres-13", "postgres:13", 1);
        foreach (var gateway in new[] { twins.Ours, twins.Theirs })
        {
            await gateway.Client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(new V1PersistentVolumeClaim
            {
                Metadata = new V1ObjectMeta { Name = "postgres-13-data" },
                Spec = new V1PersistentVolumeClaimSpec { AccessModes = ["ReadWriteOnce"], Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") } } },
            }, gateway.Namespace);
        }

        await twins.Ours.Deployments.DeleteAsync("postgres-13", DestructiveGuard.ConfirmedProduction, None);
        await twins.Ours.Volumes.DeleteClaimAsync("postgres-13-data", DestructiveGuard.ConfirmedProduction, None);
        await twins.Cluster.KubectlSucceedsAsync(twins.Theirs.Deployments.CommandDelete("postgres-13"));
        await twins.Cluster.KubectlSucceedsAsync(twins.Theirs.Volumes.CommandDeleteClaim("postgres-13-data"));

        foreach (var gateway in new[] { twins.Ours, twins.Theirs })
        {
            Assert.Null(await gateway.Deployments.FindAsync("postgres-13", None));
            Assert.Empty((await gateway.Client.CoreV1.ListNamespacedPersistentVolumeClaimAsync(gateway.Namespace)).Items);
        }
    }

    [Fact]
    public async Task Wait_for_ready_pods()
    {
        await using var twins = await StartAsync();
        await CreateDeploymentInBothAsync(twins, "pg", "postgres:16", 2);

        var ours = await twins.Ours.Pods.WaitReadyAsync("app=pg", TimeSpan.FromSeconds(30), None);
        var theirs = await twins.Cluster.KubectlSucceedsAsync(twins.Ours.Pods.CommandWaitReady("app=pg", TimeSpan.FromSeconds(30)));

        Assert.Equal(ours.Select(name => $"pod/{name} condition met").Order(), theirs.Trim().Split('\n').Order());
    }

    [Fact]
    public async Task Apply_server_side_and_dry_run()
    {
        await using var twins = await StartAsync();
        var oursFolder = ManifestTests.WriteManifests(twins.Ours.Namespace);
        var theirsFolder = ManifestTests.WriteManifests(twins.Theirs.Namespace);

        await twins.Ours.Manifests.ApplyAsync(oursFolder, dryRun: true, None);
        await twins.Cluster.KubectlSucceedsAsync(twins.Theirs.Manifests.CommandApply(theirsFolder, dryRun: true));
        Assert.Null(await twins.Ours.Deployments.FindAsync("twisterlab-api-v2", None));
        Assert.Null(await twins.Theirs.Deployments.FindAsync("twisterlab-api-v2", None));

        await twins.Ours.Manifests.ApplyAsync(oursFolder, dryRun: false, None);
        await twins.Cluster.KubectlSucceedsAsync(twins.Theirs.Manifests.CommandApply(theirsFolder));
        var (ours, theirs) = await BothAsync(twins, "twisterlab-api-v2");
        Assert.True(JsonNode.DeepEquals(Template(ours), Template(theirs)));
        Assert.Equal(ours.Spec.Replicas, theirs.Spec.Replicas);
        Assert.Equal(
            (await twins.Ours.Services.GetSelectorAsync("twisterlab-api", None)).OrderBy(p => p.Key),
            (await twins.Theirs.Services.GetSelectorAsync("twisterlab-api", None)).OrderBy(p => p.Key));
        Assert.Equal(
            await twins.Ours.Secrets.ReadKeyAsync("twisterlab-secrets", "DATABASE_URL", None),
            await twins.Theirs.Secrets.ReadKeyAsync("twisterlab-secrets", "DATABASE_URL", None));
    }

    [Fact]
    public async Task Exec_with_stdout_to_a_file()
    {
        await using var twins = await StartAsync();
        await CreateDeploymentInBothAsync(twins, "postgres", "postgres:16", 1);
        var folder = Directory.CreateTempSubdirectory("exec-twins-").FullName;
        var request = new ExecRequest("postgres", ["seq", "1", "50000"], StdoutFile: Path.Combine(folder, "ours.txt"));

        await twins.Ours.Pods.ExecAsync(request, None);
        await twins.Cluster.KubectlSucceedsAsync(twins.Theirs.Pods.CommandExec(request), stdoutFile: Path.Combine(folder, "theirs.txt"));

        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(folder, "theirs.txt")), await File.ReadAllBytesAsync(Path.Combine(folder, "ours.txt")));
    }

    [Fact]
    public async Task Exec_with_stdin_from_a_file()
    {
        await using var twins = await StartAsync();
        await CreateDeploymentInBothAsync(twins, "postgres", "postgres:16", 1);
        var input = Path.Combine(Directory.CreateTempSubdirectory("exec-twins-").FullName, "in.sql");
        await File.WriteAllTextAsync(input, string.Concat(Enumerable.Repeat("INSERT INTO t VALUES (1);\n", 20000)));
        var request = new ExecRequest("postgres", ["wc", "-l"], StdinFile: input);

        var ours = await twins.Ours.Pods.ExecAsync(request, None);
        var theirs = await twins.Cluster.KubectlSucceedsAsync(twins.Theirs.Pods.CommandExec(request), stdinFile: input);

        Assert.Equal("20000", ours.Stdout.Trim());
        Assert.Equal(theirs.Trim(), ours.Stdout.Trim());
    }

    [Fact]
    public async Task Cordon_and_uncordon()
    {
        await using var twins = await StartAsync();
        var nodes = (await twins.Ours.Nodes.ListAsync(None)).Where(node => !node.Name.Contains("control-plane")).Select(node => node.Name).ToList();
        var (ours, theirs) = (nodes[0], nodes[1]);

        await twins.Ours.Nodes.CordonAsync(ours, None);
        await twins.Cluster.KubectlSucceedsAsync(twins.Ours.Nodes.CommandCordon(theirs));
        var listed = await twins.Ours.Nodes.ListAsync(None);
        Assert.True(listed.Single(n => n.Name == ours).Unschedulable);
        Assert.True(listed.Single(n => n.Name == theirs).Unschedulable);

        await twins.Ours.Nodes.UncordonAsync(ours, None);
        await twins.Cluster.KubectlSucceedsAsync(twins.Ours.Nodes.CommandUncordon(theirs));
        var after = await twins.Ours.Client.CoreV1.ListNodeAsync();
        Assert.Equal(after.Items.Single(n => n.Metadata.Name == ours).Spec.Unschedulable ?? false, after.Items.Single(n => n.Metadata.Name == theirs).Spec.Unschedulable ?? false);
    }

    [Fact]
    public async Task Drain()
    {
        await using var twins = await StartAsync();
        var nodes = (await twins.Ours.Nodes.ListAsync(None)).Where(node => !node.Name.Contains("control-plane")).Select(node => node.Name).ToList();
        await CreateDeploymentInBothAsync(twins, "web", "nginx:1.25", 4);
        var options = new DrainOptions(TimeSpan.FromSeconds(60));

        await twins.Ours.Nodes.DrainAsync(nodes[0], options, None);
        await twins.Cluster.KubectlSucceedsAsync(twins.Ours.Nodes.CommandDrain(nodes[1], options));

        foreach (var node in nodes.Take(2))
        {
            var pods = await twins.Ours.Client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: $"spec.nodeName={node}");
            Assert.DoesNotContain(pods.Items, pod => pod.Metadata.Labels?.ContainsKey("app") == true && pod.Metadata.DeletionTimestamp is null);
            Assert.True((await twins.Ours.Client.CoreV1.ReadNodeAsync(node)).Spec.Unschedulable);
        }
    }

    [Fact]
    public async Task Get_nodes_and_version()
    {
        await using var twins = await StartAsync();
        var nodes = await twins.Ours.Nodes.ListAsync(None);
        var version = await twins.Ours.Nodes.ServerVersionAsync(None);

        var wide = await twins.Cluster.KubectlAsync(["get", "nodes", "-o", "wide"]);
        var server = await twins.Cluster.KubectlAsync(["version", "-o", "json"]);

        Assert.Equal(0, wide.ExitCode);
        Assert.All(nodes, node => Assert.Contains(node.Name, wide.StdOut));
        Assert.All(nodes, node => Assert.Contains(node.KubeletVersion!, wide.StdOut));
        Assert.Contains(version.GitVersion, server.StdOut);
        Assert.Equal("kubectl get nodes -o wide", twins.Ours.Nodes.DescribeList());
        Assert.Equal("kubectl version", twins.Ours.Nodes.DescribeServerVersion());
    }
}
