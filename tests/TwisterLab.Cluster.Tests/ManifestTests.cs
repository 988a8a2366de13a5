using k8s;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Rollback.Cluster;

namespace TwisterLab.Cluster.Tests;

/// <summary>Apply of multi-document manifests: order, server-side apply, created vs updated, server dry run.</summary>
public sealed class ManifestTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    internal static string WriteManifests(string @namespace, string image = "twisterlab-api:v2.0")
    {
        var folder = Directory.CreateTempSubdirectory("manifests-").FullName;

        // Workloads first in the file on purpose: the apply must still put config and secrets before them.
        File.WriteAllText(Path.Combine(folder, "api.yaml"), $$"""
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: twisterlab-api-v2
              labels: { app: twisterlab-api, version: v2 }
            spec:
              replicas: 2
              selector:
                matchLabels: { app: twisterlab-api, version: v2 }
              template:
                metadata:
                  labels: { app: twisterlab-api, version: v2 }
                spec:
                  containers:
                    - name: twisterlab-api
                      image: {{image}}
                      envFrom:
                        - configMapRef: { name: twisterlab-config }
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: twisterlab-api
            spec:
              selector: { app: twisterlab-api, version: v2 }
              ports:
                - port: 80
                  targetPort: 8000
            """);
        File.WriteAllText(Path.Combine(folder, "base.yaml"), """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: twisterlab-config
            data:
              LOG_LEVEL: info
            ---
            apiVersion: v1
            kind: Secret
            metadata:
              name: twisterlab-secrets
            stringData:
              DATABASE_URL: postgresql://app:pw@postgres:5432/twisterlab
            """);
        File.WriteAllText(Path.Combine(folder, "README.md"), "not a manifest");
        return folder;
    }

    [Fact]
    public async Task Applies_a_folder_config_and_secrets_first_and_reports_what_it_created()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        var folder = WriteManifests(cluster.Namespace);

        var applied = await cluster.Gateway.Manifests.ApplyAsync(folder, dryRun: false, None);

        Assert.Equal(["Secret", "ConfigMap", "Service", "Deployment"], applied.Select(item => item.Kind).ToList());
        Assert.All(applied, item => Assert.True(item.Created));
        Assert.All(applied, item => Assert.Equal(cluster.Namespace, item.Namespace));
        await cluster.WaitRolledOutAsync("twisterlab-api-v2");
        var deployment = await cluster.Gateway.Deployments.GetAsync("twisterlab-api-v2", None);
        Assert.Contains(deployment.Metadata.ManagedFields, entry => entry.Manager == ClusterGateway.FieldManager && entry.Operation == "Apply");

        var again = await cluster.Gateway.Manifests.ApplyAsync(folder, dryRun: false, None);
        Assert.All(again, item => Assert.False(item.Created));
    }

    [Fact]
    public async Task The_undo_of_an_apply_deletes_what_it_created_and_leaves_what_existed()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        await cluster.Client.CoreV1.CreateNamespacedConfigMapAsync(new k8s.Models.V1ConfigMap
        {
            Metadata = new k8s.Models.V1ObjectMeta { Name = "twisterlab-config" },
            Data = new Dictionary<string, string> { ["LOG_LEVEL"] = "debug" },
        }, cluster.Namespace);
        var folder = WriteManifests(cluster.Namespace);

        var applied = await cluster.Gateway.Manifests.ApplyAsync(folder, dryRun: false, None);
        var undos = applied.Where(item => item.Created).Select(item => new DeleteCreatedObject(item.Kind, item.Namespace, item.Name)).Reverse().ToList();
        var handler = new DeleteCreatedObjectHandler(cluster.Gateway);
        foreach (var undo in undos.Concat(undos))
        {
            await handler.ApplyAsync(undo, None);
        }

        Assert.Equal(["Secret", "Service", "Deployment"], undos.Select(undo => undo.Kind).Reverse().ToList());
        Assert.Null(await cluster.Gateway.Deployments.FindAsync("twisterlab-api-v2", None));
        Assert.Empty((await cluster.Client.CoreV1.ListNamespacedServiceAsync(cluster.Namespace)).Items);
        Assert.Empty((await cluster.Client.CoreV1.ListNamespacedSecretAsync(cluster.Namespace)).Items.Where(secret => secret.Metadata.Name == "twisterlab-secrets"));
        Assert.Single((await cluster.Client.CoreV1.ListNamespacedConfigMapAsync(cluster.Namespace)).Items, map => map.Metadata.Name == "twisterlab-config");
    }

    [Fact]
    public async Task Delete_of_a_manifest_folder_matches_kubectl_delete_f()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        var folder = WriteManifests(cluster.Namespace);
        await cluster.Gateway.Manifests.ApplyAsync(folder, dryRun: false, None);
        var twin = cluster.Gateway.InNamespace(cluster.Namespace + "-k");
        await cluster.Client.CoreV1.CreateNamespaceAsync(new k8s.Models.V1Namespace { Metadata = new k8s.Models.V1ObjectMeta { Name = twin.Namespace } });
        await twin.Manifests.ApplyAsync(folder, dryRun: false, None);

        await Assert.ThrowsAsync<ClusterException>(() => cluster.Gateway.Manifests.DeleteAsync(folder, new DestructiveGuard(true, false), None));
        var deleted = await cluster.Gateway.Manifests.DeleteAsync(folder, DestructiveGuard.NotProduction, None);
        var command = twin.Manifests.DescribeDelete(folder);
        var result = await cluster.KubectlAsync(["delete", "-f", folder, "--ignore-not-found", "-n", twin.Namespace]);

        Assert.Equal($"kubectl delete -f {folder} --ignore-not-found -n {twin.Namespace}", command);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["Deployment", "Service", "ConfigMap", "Secret"], deleted.Select(item => item.Kind).ToList());
        foreach (var gateway in new[] { cluster.Gateway, twin })
        {
            Assert.Null(await gateway.Deployments.FindAsync("twisterlab-api-v2", None));
            Assert.Empty((await gateway.Client.CoreV1.ListNamespacedServiceAsync(gateway.Namespace)).Items);
            Assert.Empty((await gateway.Client.CoreV1.ListNamespacedConfigMapAsync(gateway.Namespace)).Items);
        }
    }

    [Fact]
    public async Task A_server_dry_run_validates_and_persists_nothing()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        var folder = WriteManifests(cluster.Namespace);

        var planned = await cluster.Gateway.Manifests.ApplyAsync(folder, dryRun: true, None);

        Assert.Equal(4, planned.Count);
        Assert.Null(await cluster.Gateway.Deployments.FindAsync("twisterlab-api-v2", None));
        Assert.Empty((await cluster.Client.CoreV1.ListNamespacedConfigMapAsync(cluster.Namespace)).Items);
    }

    [Fact]
    public async Task A_broken_manifest_names_the_file_and_applies_nothing()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        var folder = Directory.CreateTempSubdirectory("manifests-").FullName;
        File.WriteAllText(Path.Combine(folder, "a.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n");
        File.WriteAllText(Path.Combine(folder, "b.yaml"), "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n");

        var exception = await Assert.ThrowsAsync<ClusterException>(() => cluster.Gateway.Manifests.ApplyAsync(folder, false, None));

        Assert.Contains("b.yaml", exception.Message);
        Assert.Empty((await cluster.Client.CoreV1.ListNamespacedConfigMapAsync(cluster.Namespace)).Items);
    }

    [Fact]
    public async Task A_missing_path_is_a_clear_error()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        var exception = await Assert.ThrowsAsync<FileNotFoundException>(() => cluster.Gateway.Manifests.ApplyAsync("/nonexistent/k8s", false, None));
        Assert.Contains("/nonexistent/k8s", exception.Message);
    }
}
