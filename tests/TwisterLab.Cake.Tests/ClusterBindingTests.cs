using System.Diagnostics;
using System.Text.Json;
using k8s;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests;

/// <summary>
/// Which cluster a run changes, and which runs it may undo. Two simulated clusters A and B; the host runs as its own
/// process where HOME and KUBECONFIG matter (KubernetesClient reads HOME once per process), in-process otherwise.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class ClusterBindingTests
{
    private const string Namespace = "twisterlab";

    [Fact]
    public async Task KUBECONFIG_wins_over_the_home_kubeconfig_for_the_plan_and_the_run()
    {
        await using var a = await AppCluster.StartAsync();
        await using var b = await AppCluster.StartAsync();
        using var world = new DemoWorld();
        var home = Directory.CreateDirectory(Path.Combine(world.Root, "home", ".kube")).Parent!.FullName;
        File.Copy(a.Cluster.KubeconfigPath, Path.Combine(home, ".kube", "config"));
        var environment = new Dictionary<string, string?> { ["HOME"] = home, ["KUBECONFIG"] = b.Cluster.KubeconfigPath };

        var plan = await HostProcess.RunAsync(world.Root, environment, "--target=RollingUpgrade", "--image-tag=v2.0", "--dryrun", $"--working={world.Root}");
        Assert.Equal(ExitCodes.Success, plan.ExitCode);
        Assert.Contains($"Plan for RollingUpgrade on {b.Server} (context {KubeSim.SimulatedCluster.ContextName}), namespace {Namespace}", plan.Output);
        Assert.DoesNotContain(a.Server, plan.Output);

        var imageOfA = await a.ImageAsync();
        // SetImage, not Rollback: a rollback first asks the database which schema it is at (the schema gate), and this
        // world has no database behind its postgres pod; which cluster a change lands on is the same question.
        var run = await HostProcess.RunAsync(world.Root, environment, "--target=SetImage", "--image-tag=v1", $"--namespace={Namespace}", "--confirm", $"--working={world.Root}");
        Assert.True(run.ExitCode == ExitCodes.Success, run.Output);
        Assert.Contains($"Cluster: {b.Server} (context {KubeSim.SimulatedCluster.ContextName}), cluster id {await b.IdAsync()}", run.Output);
        Assert.Equal("twisterlab-api:v1", await b.ImageAsync());
        Assert.Equal(imageOfA, await a.ImageAsync());
        var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(world.RunsFolder, world.RunIds()[^1], "report.json"))).RootElement;
        Assert.Equal(await b.IdAsync(), report.GetProperty("cluster").GetProperty("clusterId").GetString());
    }

    [Fact]
    public async Task A_journal_of_cluster_A_replayed_against_cluster_B_is_refused_and_changes_nothing()
    {
        await using var a = await AppCluster.StartAsync();
        await using var b = await AppCluster.StartAsync();
        using var world = new DemoWorld();
        Assert.Equal(ExitCodes.Failed, world.Run("--target=DemoChain", "--fail-at=WriteC", "--fail-mode=after-change", "--no-rollback", $"--kubeconfig={a.Cluster.KubeconfigPath}"));
        var runOfA = world.RunIds()[^1];
        var journal = JsonDocument.Parse(File.ReadAllText(Path.Combine(world.RunsFolder, runOfA, "journal.json"))).RootElement;
        Assert.Equal(await a.IdAsync(), journal.GetProperty("cluster").GetProperty("clusterId").GetString());
        var files = world.Snapshot();
        var worldOfB = await b.FactsAsync();

        foreach (var run in new[] { runOfA, "latest" })
        {
            Assert.Equal(ExitCodes.BadInput, world.Run("--target=Rollback", $"--run={run}", $"--kubeconfig={b.Cluster.KubeconfigPath}"));
            Assert.Contains(await b.IdAsync(), world.LatestReport().GetProperty("error").GetString());
            Assert.Equal(files, world.Snapshot());
            Assert.Empty(world.UndoLog());
            Assert.Equal(worldOfB, await b.FactsAsync());
        }

        // On its own cluster the same journal is undone, and a second Rollback finds nothing left.
        Assert.Equal(ExitCodes.Success, world.Run("--target=Rollback", "--run=latest", $"--kubeconfig={a.Cluster.KubeconfigPath}"));
        Assert.Empty(world.Snapshot());
        Assert.Equal(ExitCodes.Success, world.Run("--target=Rollback", "--run=latest", $"--kubeconfig={a.Cluster.KubeconfigPath}"));
        Assert.Equal(3, world.UndoLog().Count);
    }

    [Fact]
    public async Task Every_rehearsal_run_and_latest_replayed_on_a_real_run_are_refused_and_change_nothing()
    {
        await using var rehearsal = await AppCluster.StartAsync();
        await using var real = await AppCluster.StartAsync();
        using var world = new DemoWorld();
        CopyProfiles(world.Root);
        foreach (var failAt in new[] { "WriteB", "WriteD" })
        {
            Assert.Equal(ExitCodes.Failed, world.Run("--target=DemoChain", $"--fail-at={failAt}", "--fail-mode=after-change", "--no-rollback",
                "--environment=rehearsal", $"--kubeconfig={rehearsal.Cluster.KubeconfigPath}"));
        }

        var rehearsalRuns = Directory.GetDirectories(Path.Combine(world.Root, ".twisterlab", "rehearsal", "runs")).Select(Path.GetFileName).OfType<string>().ToList();
        Assert.Equal(2, rehearsalRuns.Count);
        Assert.Empty(world.RunIds());
        var files = world.Snapshot();
        var worldOfReal = await real.FactsAsync();

        foreach (var run in rehearsalRuns.Append("latest"))
        {
            var exitCode = world.Run("--target=Rollback", $"--run={run}", "--environment=staging", $"--kubeconfig={real.Cluster.KubeconfigPath}");
            Assert.Equal(ExitCodes.BadInput, exitCode);
            Assert.Contains("rehearsal", world.LatestReport().GetProperty("error").GetString());
            Assert.Equal(files, world.Snapshot());
            Assert.Empty(world.UndoLog());
            Assert.Equal(worldOfReal, await real.FactsAsync());
        }
    }

    [Fact]
    public async Task FullRollback_on_B_never_picks_nor_takes_a_backup_of_A()
    {
        await using var a = await Chains.Rehearsal.StartAsync();
        await using var b = await Chains.Rehearsal.StartAsync();
        var backups = Path.Combine(a.WorkingDirectory, "backups");
        var idOfA = (await a.Environment.Gateway.ReadIdentityAsync(CancellationToken.None)).Id;
        var idOfB = (await b.Environment.Gateway.ReadIdentityAsync(CancellationToken.None)).Id;

        // Only A's backup in the folder: B has nothing of its own to restore, and says so before any change.
        a.RunExpecting(ExitCodes.Success, "BackupDatabase", "--exclusive");
        // Direct backups are directory-format folders named backup_pre_upgrade_<run>.
        var backupOfA = Assert.Single(Directory.GetDirectories(backups, "backup_pre_upgrade_*"));
        Assert.Contains(idOfA, File.ReadAllText(backupOfA + ".manifest.json"));
        var before = await b.SnapshotAsync();
        Assert.Equal(ExitCodes.BadInput, b.Run("FullRollback", $"--backup-dir={backups}", "--image-tag=v1"));
        Assert.Contains("no backup of", b.LatestReport().GetProperty("error").GetString());
        Assert.Empty(before.Differences(await b.SnapshotAsync()));

        // A's backup named explicitly: refused in one line naming both clusters.
        Assert.Equal(ExitCodes.BadInput, b.Run("FullRollback", $"--backup={backupOfA}", "--image-tag=v1"));
        var refusal = b.LatestReport().GetProperty("error").GetString()!;
        Assert.Contains(idOfA, refusal);
        Assert.Contains(idOfB, refusal);
        Assert.DoesNotContain('\n', refusal);
        Assert.Empty(before.Differences(await b.SnapshotAsync()));

        // B's own backup, older than a newer one of A in the same folder, is the one B restores.
        b.RunExpecting(ExitCodes.Success, "BackupDatabase", "--exclusive", $"--backup-dir={backups}");
        var backupOfB = Assert.Single(Directory.GetDirectories(backups, "backup_pre_upgrade_*").Where(path => path != backupOfA));
        a.RunExpecting(ExitCodes.Success, "BackupDatabase", "--exclusive");
        Assert.Equal(3, Directory.GetDirectories(backups, "backup_pre_upgrade_*").Length);
        b.RunExpecting(ExitCodes.Success, "FullRollback", $"--backup-dir={backups}", "--image-tag=v1");
        Assert.Contains(b.LatestLog(), line => line.Contains($"Restored {backupOfB}"));
    }

    [Fact]
    public async Task A_missing_kubeconfig_is_one_line_and_exit_2()
    {
        using var world = new DemoWorld();
        var result = await HostProcess.RunAsync(world.Root, new Dictionary<string, string?> { ["HOME"] = world.Root, ["KUBECONFIG"] = null },
            "--target=Rollback", "--kubeconfig=nowhere/config", $"--working={world.Root}");

        Assert.Equal(ExitCodes.BadInput, result.ExitCode);
        Assert.Contains($"--kubeconfig: '{Path.Combine(world.Root, "nowhere", "config")}' does not exist", result.Output);
        Assert.DoesNotContain("An error occurred", result.Output);
        Assert.Empty(world.RunIds());
    }

    private static void CopyProfiles(string root)
    {
        var folder = Directory.CreateDirectory(Path.Combine(root, "environments")).FullName;
        foreach (var profile in Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "environments"), "*.json"))
        {
            File.Copy(profile, Path.Combine(folder, Path.GetFileName(profile)), overwrite: true);
        }
    }

    /// <summary>A simulated cluster with the project's manifests applied (v1.0) and then v1.1 rolled out, so a rollout undo has somewhere to go.</summary>
    private sealed class AppCluster : IAsyncDisposable
    {
        private AppCluster(EmbeddedCluster cluster) => Cluster = cluster;

        public EmbeddedCluster Cluster { get; }

        public string Server => Cluster.Simulator.BaseUri.ToString().TrimEnd('/');

        public static async Task<AppCluster> StartAsync()
        {
            var cluster = await EmbeddedCluster.StartAsync(Namespace);
            foreach (var folder in new[] { "base", "deployments" })
            {
                await cluster.Gateway.Manifests.ApplyAsync(Path.Combine(RepositoryRoot.Path, "k8s", folder), dryRun: false, CancellationToken.None);
            }

            // v1 rolled out first: set at once, the image could reach the first ReplicaSet and leave no revision to undo to.
            await cluster.Gateway.Deployments.WaitForRolloutAsync("twisterlab-api", new RolloutWaitOptions(TimeSpan.FromSeconds(30)), CancellationToken.None);
            await cluster.Gateway.Deployments.SetImageAsync("twisterlab-api", "twisterlab-api", "twisterlab-api:v1.1", CancellationToken.None);
            await cluster.Gateway.Deployments.WaitForRolloutAsync("twisterlab-api", new RolloutWaitOptions(TimeSpan.FromSeconds(30)), CancellationToken.None);
            return new AppCluster(cluster);
        }

        public async Task<string> IdAsync() => (await Cluster.Gateway.ReadIdentityAsync(CancellationToken.None)).Id;

        public async Task<string> ImageAsync() =>
            (await Cluster.Gateway.Client.AppsV1.ReadNamespacedDeploymentAsync("twisterlab-api", Namespace)).Spec.Template.Spec.Containers[0].Image;

        /// <summary>Every deployment's image, replicas and generation: what a replayed journal would change.</summary>
        public async Task<List<string>> FactsAsync() =>
            (await Cluster.Gateway.Client.AppsV1.ListNamespacedDeploymentAsync(Namespace)).Items
            .Select(d => $"{d.Metadata.Name} {string.Join(",", d.Spec.Template.Spec.Containers.Select(c => c.Image))} {d.Spec.Replicas} {d.Metadata.Generation}")
            .Order().ToList();

        public ValueTask DisposeAsync() => Cluster.DisposeAsync();
    }
}

/// <summary>The demo host (the real targets plus the demo steps) as its own process, with its own environment variables.</summary>
internal static class HostProcess
{
    public sealed record Result(int ExitCode, string Output);

    public static async Task<Result> RunAsync(string workingDirectory, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "TwisterLab.Cake.DemoHost.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove(KubeconfigLoader.CallerDirectoryVariable);
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        return new Result(process.ExitCode, await output + await error);
    }
}
