using Cake.Core.Diagnostics;
using k8s;
using k8s.Models;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Rollback;
using TwisterLab.Cake.Rollback.Cluster;
using TwisterLab.Cake.Safety;

namespace TwisterLab.Cluster.Tests;

/// <summary>
/// The cluster compensations as the run journal keeps them: written to disk, read back by another "process", and
/// applied in reverse by the real compensation runner; the cluster ends as it started and no secret is in the file.
/// </summary>
public sealed class JournalRollbackTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private sealed class ListLog : ICakeLog
    {
        public List<string> Lines { get; } = [];

        public Verbosity Verbosity { get; set; } = Verbosity.Diagnostic;

        public void Write(Verbosity verbosity, LogLevel level, string format, params object[] args) => Lines.Add(string.Format(format, args));
    }

    [Fact]
    public async Task A_blue_green_switch_with_scale_secret_and_image_changes_rolls_back_from_the_journal_file()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        var ns = cluster.Namespace;
        const string oldUrl = "postgresql://app:0ld-pa55@postgres-13:5432/twisterlab";
        await cluster.CreateDeploymentAsync("api-v1", "twisterlab-api:v1.9", 3, new Dictionary<string, string> { ["app"] = "api", ["version"] = "v1" });
        await cluster.CreateServiceAsync("api", new Dictionary<string, string> { ["app"] = "api", ["version"] = "v1" });
        await cluster.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "twisterlab-secrets" }, StringData = new Dictionary<string, string> { ["DATABASE_URL"] = oldUrl } }, ns);
        await cluster.WaitRolledOutAsync("api-v1");
        var node = (await cluster.Gateway.Nodes.ListAsync(None)).First(n => !n.Name.Contains("control-plane")).Name;
        var before = await SnapshotAsync(cluster, node);

        var runDirectory = Directory.CreateTempSubdirectory("run-").FullName;
        var journal = RunJournal.Create(Path.Combine(runDirectory, "journal.json"), "run-1", "BlueGreenDeploy");
        var stash = new SecretStash(runDirectory);
        var gateway = cluster.Gateway;

        // The steps: record the undo, then change (a create's undo is recorded before the create).
        journal.Record("DeployGreen", new DeleteDeployment("api-v2", ns));
        await cluster.CreateDeploymentAsync("api-v2", "twisterlab-api:v2.0", 3, new Dictionary<string, string> { ["app"] = "api", ["version"] = "v2" });
        await cluster.WaitRolledOutAsync("api-v2");
        var selector = await gateway.Services.GetSelectorAsync("api", None);
        journal.Record("SwitchTraffic", new RestoreServiceSelector("api", ns, selector));
        await gateway.Services.PatchSelectorAsync("api", new Dictionary<string, string> { ["version"] = "v2" }, None);
        journal.Record("ScaleDownBlue", new ScaleBack("api-v1", ns, (await gateway.Deployments.GetAsync("api-v1", None)).Spec.Replicas ?? 0));
        await gateway.Deployments.ScaleAsync("api-v1", 0, None);
        var previousUrl = await gateway.Secrets.ReadKeyAsync("twisterlab-secrets", "DATABASE_URL", None);
        journal.Record("PointApiAtNewDatabase", new RestoreSecretKey("twisterlab-secrets", ns, "DATABASE_URL", stash.Protect(previousUrl!)));
        await gateway.Secrets.SetKeyAsync("twisterlab-secrets", "DATABASE_URL", "postgresql://app:n3w-pa55@postgres-16:5432/twisterlab", None);
        journal.Record("UpgradeBlueImage", new UndoToRevision("api-v1", ns, await gateway.Deployments.GetRevisionAsync("api-v1", None)));
        await gateway.Deployments.SetImageAsync("api-v1", "app", "twisterlab-api:v2.0", None);
        journal.Record("DrainNode", new Uncordon(node));
        await gateway.Nodes.CordonAsync(node, None);

        var file = await File.ReadAllTextAsync(journal.FilePath);
        Assert.DoesNotContain("0ld-pa55", file);
        Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(oldUrl)), file);

        // Another process: load the journal from disk and roll back with the real runner.
        var log = new ListLog();
        var handlers = new ICompensationHandler[]
        {
            new UndoToRevisionHandler(gateway), new ScaleBackHandler(gateway), new RestoreServiceSelectorHandler(gateway),
            new RestoreSecretKeyHandler(gateway, new SecretStash(runDirectory)), new DeleteDeploymentHandler(gateway), new UncordonHandler(gateway),
        };
        var reloaded = RunJournal.Load(journal.FilePath);
        var error = await CompensationRunner.For(handlers, log, new SecretRedactor()).RollBackAsync(reloaded, None);

        Assert.Null(error);
        Assert.All(RunJournal.Load(journal.FilePath).Entries, entry => Assert.Equal(CompensationStatus.Applied, entry.Status));
        await cluster.WaitRolledOutAsync("api-v1");
        var after = await SnapshotAsync(cluster, node);
        Assert.Equal(before, after);
        Assert.DoesNotContain(log.Lines, line => line.Contains("0ld-pa55"));
    }

    // The fields each compensation promises to restore, as one comparable record.
    private static async Task<string> SnapshotAsync(TestCluster cluster, string node)
    {
        var deployments = (await cluster.Client.AppsV1.ListNamespacedDeploymentAsync(cluster.Namespace)).Items
            .OrderBy(d => d.Metadata.Name)
            .Select(d => $"{d.Metadata.Name}: replicas={d.Spec.Replicas} template={KubernetesJson.Serialize(d.Spec.Template)}");
        var service = await cluster.Client.CoreV1.ReadNamespacedServiceAsync("api", cluster.Namespace);
        var secret = await cluster.Client.CoreV1.ReadNamespacedSecretAsync("twisterlab-secrets", cluster.Namespace);
        var nodeObject = await cluster.Client.CoreV1.ReadNodeAsync(node);
        return string.Join("\n", deployments.Concat([
            $"service spec={KubernetesJson.Serialize(service.Spec)}",
            $"secret data={string.Join(",", secret.Data.OrderBy(p => p.Key).Select(p => $"{p.Key}={Convert.ToBase64String(p.Value)}"))}",
            $"node unschedulable={nodeObject.Spec.Unschedulable ?? false}",
        ]));
    }
}
