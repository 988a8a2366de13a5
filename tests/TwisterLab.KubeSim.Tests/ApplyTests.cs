using System.Text;
using k8s;
using k8s.Models;

namespace TwisterLab.KubeSim.Tests;

public sealed class ApplyTests : ClusterTest
{
    [Fact]
    public async Task ClientSideApply_CreatesTheStack_AndReappliesUnchanged()
    {
        await DeployTwisterLabAsync();

        var api = await ReadDeploymentAsync();
        Assert.Equal(3, api.Spec.Replicas);
        Assert.Equal(3, api.Status.ReadyReplicas);
        Assert.Equal(3, api.Status.AvailableReplicas);
        Assert.Equal("twisterlab-api:v1", api.Spec.Template.Spec.Containers.Single().Image);
        Assert.Equal("1", Revision(api.Metadata));
        Assert.Contains(api.Status.Conditions, c => c.Type == "Available" && c.Status == "True" && c.Reason == "MinimumReplicasAvailable");
        Assert.Contains(api.Status.Conditions, c => c.Type == "Progressing" && c.Status == "True" && c.Reason == "NewReplicaSetAvailable");

        var pods = await PodsAsync();
        Assert.Equal(3, pods.Count);
        Assert.All(pods, p =>
        {
            Assert.Equal("Running", p.Status.Phase);
            Assert.Equal("v1", p.Metadata.Labels["version"]);
            Assert.Contains(p.Status.Conditions, c => c.Type == "Ready" && c.Status == "True");
            Assert.NotNull(p.Spec.NodeName);
            Assert.NotEqual("twisterlab-control-plane", p.Spec.NodeName);
        });

        var secret = await Client.CoreV1.ReadNamespacedSecretAsync("twisterlab-secrets", Ns);
        Assert.StartsWith("postgresql://", Encoding.UTF8.GetString(secret.Data["DATABASE_URL"]));
        var service = await Client.CoreV1.ReadNamespacedServiceAsync("twisterlab-api", Ns);
        Assert.Equal("v1", service.Spec.Selector["version"]);
        Assert.False(string.IsNullOrEmpty(service.Spec.ClusterIP));
        var endpoints = await EventuallyAsync(() => Client.CoreV1.ReadNamespacedEndpointsAsync("twisterlab-api", Ns),
            e => e.Subsets?.SingleOrDefault()?.Addresses?.Count == 3, "the service has 3 ready endpoints");
        Assert.Equal(8000, endpoints.Subsets.Single().Ports.Single().Port);

        var again = await Kubectl.SucceedAsync($"apply -f {ManifestPath}");
        Assert.Contains("deployment.apps/twisterlab-api unchanged", again);
        Assert.Equal(api.Metadata.Generation, (await ReadDeploymentAsync()).Metadata.Generation);
    }

    [Fact]
    public async Task ServerSideApply_RecordsTheManager_AndRemovesFieldsItNoLongerApplies()
    {
        await DeployTwisterLabAsync(serverSide: true);

        var api = await ReadDeploymentAsync();
        Assert.Contains(api.Metadata.ManagedFields, m => m.Manager == "kubectl" && m.Operation == "Apply");
        Assert.Contains(api.Spec.Template.Spec.Containers.Single().Env, e => e.Name == "LOG_LEVEL");

        var manifest = await File.ReadAllTextAsync(ManifestPath);
        var withoutLogLevel = manifest.Replace("        - name: LOG_LEVEL\n          value: info\n", "").Replace("replicas: 3", "replicas: 2");
        Assert.NotEqual(manifest, withoutLogLevel);
        await Kubectl.SucceedAsync("apply --server-side -f -", withoutLogLevel);

        api = await ReadDeploymentAsync();
        Assert.DoesNotContain(api.Spec.Template.Spec.Containers.Single().Env, e => e.Name == "LOG_LEVEL");
        Assert.Contains(api.Spec.Template.Spec.Containers.Single().Env, e => e.Name == "DATABASE_URL");
        Assert.Equal(2, api.Spec.Replicas);
        await Kubectl.SucceedAsync($"-n {Ns} rollout status deployment/twisterlab-api --timeout=30s");
        Assert.Equal(2, (await PodsAsync()).Count(p => p.Metadata.DeletionTimestamp is null));
    }

    [Fact]
    public async Task ServerSideApply_ConflictsWithAnotherManagersChange_UnlessForced()
    {
        await DeployTwisterLabAsync(serverSide: true);
        await Kubectl.SucceedAsync($"-n {Ns} set image deployment/twisterlab-api twisterlab-api=twisterlab-api:v2");
        var api = await ReadDeploymentAsync();
        Assert.Contains(api.Metadata.ManagedFields, m => m.Manager == "kubectl-set" && m.Operation == "Update");

        var conflict = await Kubectl.RunAsync($"apply --server-side -f {ManifestPath}");
        Assert.NotEqual(0, conflict.ExitCode);
        Assert.Contains("conflict with \"kubectl-set\"", conflict.Output);
        Assert.Contains(".spec.template.spec.containers[name=\"twisterlab-api\"].image", conflict.Output);
        Assert.Equal("twisterlab-api:v2", (await ReadDeploymentAsync()).Spec.Template.Spec.Containers.Single().Image);

        await Kubectl.SucceedAsync($"apply --server-side --force-conflicts -f {ManifestPath}");
        api = await ReadDeploymentAsync();
        Assert.Equal("twisterlab-api:v1", api.Spec.Template.Spec.Containers.Single().Image);
        Assert.DoesNotContain(api.Metadata.ManagedFields, m => m.Manager == "kubectl-set");

        // Re-applying what is already there is no conflict, whoever else set those values.
        await Kubectl.SucceedAsync($"-n {Ns} scale deployment/twisterlab-api --replicas=3");
        await Kubectl.SucceedAsync($"apply --server-side -f {ManifestPath}");
    }

    [Fact]
    public async Task ClientLibraryServerSideApply_CreatesThenUpdates()
    {
        var configMap = new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = new V1ObjectMeta { Name = "settings", NamespaceProperty = "default" },
            Data = new Dictionary<string, string> { ["mode"] = "blue", ["color"] = "red" },
        };
        var created = await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(configMap, V1Patch.PatchType.ApplyPatch), "settings", "default", fieldManager: "twisterlab", force: true);
        Assert.Equal("blue", created.Data["mode"]);

        configMap.Data = new Dictionary<string, string> { ["mode"] = "green" };
        var updated = await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(configMap, V1Patch.PatchType.ApplyPatch), "settings", "default", fieldManager: "twisterlab", force: true);
        Assert.Equal("green", updated.Data["mode"]);
        Assert.False(updated.Data.ContainsKey("color"));
        Assert.Contains(updated.Metadata.ManagedFields, m => m.Manager == "twisterlab");
    }

    [Fact]
    public async Task GetScaleAndPatchService_AsOnARealCluster()
    {
        await DeployTwisterLabAsync();

        var table = await Kubectl.SucceedAsync($"-n {Ns} get deployments");
        Assert.Matches(@"twisterlab-api\s+3/3\s+3\s+3", table);
        var wide = await Kubectl.SucceedAsync($"-n {Ns} get pods -l app=twisterlab-api -o wide");
        Assert.Equal(3, wide.Split('\n').Count(l => l.Contains("Running")));

        await Kubectl.SucceedAsync($"-n {Ns} scale deployment/twisterlab-api --replicas=5");
        await EventuallyAsync(() => ReadDeploymentAsync(), d => d.Status.AvailableReplicas == 5, "5 replicas are available");
        Assert.Equal(5, (await Client.AppsV1.ReadNamespacedDeploymentScaleAsync("twisterlab-api", Ns)).Spec.Replicas);

        await Kubectl.SucceedAsync($"-n {Ns} patch svc twisterlab-api -p '{{\"spec\":{{\"selector\":{{\"version\":\"v2\"}}}}}}'");
        var service = await Client.CoreV1.ReadNamespacedServiceAsync("twisterlab-api", Ns);
        Assert.Equal("twisterlab-api", service.Spec.Selector["app"]);
        Assert.Equal("v2", service.Spec.Selector["version"]);
        // No pod carries version=v2 yet, so the service has no endpoints.
        await EventuallyAsync(() => Client.CoreV1.ReadNamespacedEndpointsAsync("twisterlab-api", Ns),
            e => e.Subsets is null || e.Subsets.Count == 0, "the endpoints are empty");

        var json = await Kubectl.SucceedAsync($"-n {Ns} get deployment twisterlab-api -o jsonpath={{.spec.replicas}}");
        Assert.Equal("5", json.Trim());
    }

    [Fact]
    public async Task Delete_CascadesToReplicaSetsAndPods()
    {
        await DeployTwisterLabAsync();
        await Kubectl.SucceedAsync($"-n {Ns} delete deployment twisterlab-api");

        await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => ReadDeploymentAsync());
        await EventuallyAsync(() => ReplicaSetsAsync(), r => r.Count == 0, "the replica sets are collected");
        await EventuallyAsync(() => PodsAsync(includeTerminating: true), p => p.Count == 0, "the pods are gone");
        Assert.Single(await PodsAsync("app=postgres"));
        Assert.Single(await PodsAsync("app=redis"));

        // Foreground: the deployment only goes once its replica set and pods are gone.
        await Kubectl.SucceedAsync($"-n {Ns} delete deployment postgres --cascade=foreground --timeout=30s");
        Assert.Empty(await PodsAsync("app=postgres", includeTerminating: true));
        Assert.Empty(await ReplicaSetsAsync("app=postgres"));

        // Orphan: the replica set and its pod stay, without an owner.
        await Kubectl.SucceedAsync($"-n {Ns} delete deployment redis --cascade=orphan");
        await Task.Delay(300);
        var orphan = Assert.Single(await ReplicaSetsAsync("app=redis"));
        Assert.Null(orphan.Metadata.OwnerReferences);
        Assert.Single(await PodsAsync("app=redis"));

        await Kubectl.SucceedAsync($"delete namespace {Ns} --timeout=30s");
        var namespaces = await Client.CoreV1.ListNamespaceAsync();
        Assert.DoesNotContain(namespaces.Items, n => n.Metadata.Name == Ns);
        Assert.Empty((await Client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: "app=redis")).Items);
    }
}
