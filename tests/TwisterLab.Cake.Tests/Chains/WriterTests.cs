using System.Diagnostics;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.KubeSim;

namespace TwisterLab.Cake.Tests.Chains;

/// <summary>
/// Never two writers, and an undo that survives a lost machine: runs as separate processes (SIGSTOP, SIGKILL) against
/// a rehearsal, the lock proven before each change, the journal kept in the namespace.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class WriterTests
{
    private const string Deployment = "deployment/twisterlab-api";
    private const string OtherRun = "bob@ci run 20991231-235959999-beef (RollingUpgrade)";

    [Fact]
    public async Task A_run_paused_past_its_lease_while_another_took_over_changes_nothing_more_and_holds()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        using var process = StartHost(rehearsal, "--target=BlueGreenDeploy", "--image-tag=v2.0", "--scale-down-delay=3s", "--lease-duration=2s");
        await KilledRunTests.WaitForLine(process, "RetireBlue");
        Signal(process, "STOP");
        await WaitForLeaseExpiryAsync(rehearsal);
        await using var other = rehearsal.Environment.Gateway.RunLock(OtherRun);
        await other.AcquireAsync(CancellationToken.None);
        var taken = await rehearsal.SnapshotAsync();

        Signal(process, "CONT");
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));

        Assert.True(ExitCodes.Held == process.ExitCode, $"exit {process.ExitCode}:\n{string.Join("\n", rehearsal.LatestLog().TakeLast(30))}");
        Assert.Empty(taken.Differences(await rehearsal.SnapshotAsync()));
        Assert.EndsWith("replicas=3", (await rehearsal.SnapshotAsync()).Facts[Deployment]);
        Assert.Contains(rehearsal.LatestNotes(), note => note.Contains(OtherRun));
        Assert.Equal("held", rehearsal.Outcome());
    }

    [Fact]
    public async Task A_killed_run_with_its_local_folder_gone_is_rolled_back_from_the_cluster_copy_and_a_second_rollback_is_a_no_op()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var before = await rehearsal.SnapshotAsync();
        var runId = await KillMidChainAsync(rehearsal);
        Assert.NotEmpty(before.Differences(await rehearsal.SnapshotAsync()));
        Directory.Delete(Path.Combine(rehearsal.WorkingDirectory, ".twisterlab"), recursive: true);

        rehearsal.RunExpecting(ExitCodes.Success, "Rollback", $"--run={runId}");

        Assert.Empty(before.Differences(await rehearsal.SnapshotAsync()));
        Assert.Contains(rehearsal.LatestLog(), line => line.Contains("journal read from the cluster"));
        Assert.Equal("rolled-back", (await rehearsal.Environment.Gateway.RunJournals.ReadAsync(runId, CancellationToken.None))!.State);

        rehearsal.RunExpecting(ExitCodes.Success, "Rollback", $"--run={runId}");
        Assert.Contains(rehearsal.LatestLog(), line => line.Contains("already fully undone"));
        Assert.Empty(before.Differences(await rehearsal.SnapshotAsync()));
    }

    [Fact]
    public async Task An_expired_lease_of_a_run_with_an_unfinished_journal_is_refused_and_take_over_proceeds_and_says_so()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var runId = await KillMidChainAsync(rehearsal);
        var killed = await rehearsal.SnapshotAsync();

        Assert.Equal(ExitCodes.BadInput, rehearsal.Run("SetImage", "--image-tag=v2.1", "--exclusive"));

        var refusal = rehearsal.LatestReport().GetProperty("error").GetString()!;
        Assert.DoesNotContain('\n', refusal);
        Assert.Contains($"run {runId} (BlueGreenDeploy, started ", refusal);
        Assert.Contains($" on {DeployContext.Who})", refusal);
        Assert.Contains($"--target=Rollback --run={runId}", refusal);
        Assert.Contains("--take-over", refusal);
        Assert.Empty(killed.Differences(await rehearsal.SnapshotAsync()));

        rehearsal.RunExpecting(ExitCodes.Success, "SetImage", "--image-tag=v2.1", "--exclusive", "--take-over");
        Assert.Contains(rehearsal.LatestNotes(), note => note.Contains($"from run {runId}") && note.Contains("(--take-over)"));
    }

    [Fact]
    public async Task An_undo_that_fails_ends_with_exit_5_keeping_the_original_error_and_a_second_rollback_finishes()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var before = await rehearsal.SnapshotAsync();
        var faults = rehearsal.Environment.Cluster.Faults;

        void BreakTheService() => faults.FailRequest("*", $"/api/v1/namespaces/{RehearsalNamespace}/services/twisterlab-api*", RequestFault.InternalError, times: 100);

        var exitCode = rehearsal.Run("BlueGreenDeploy", ["--image-tag=v2.0", "--inject-failure=SwitchTraffic"], services =>
            services.AddSingleton<IFrostingTaskTeardown>(new AfterStep("SwitchTraffic", BreakTheService)));

        Assert.True(ExitCodes.RollbackFailed == exitCode, $"exit {exitCode}:\n{string.Join("\n", rehearsal.LatestLog().TakeLast(30))}");
        Assert.Contains("failure injected by --inject-failure=SwitchTraffic", rehearsal.LatestReport().GetProperty("error").GetString());
        Assert.Contains(rehearsal.LatestNotes(), note => note.StartsWith("Rollback incomplete", StringComparison.Ordinal));
        var runId = rehearsal.LatestReport().GetProperty("runId").GetString()!;

        // A Rollback --run that stops part-way is exit 5 too, and says so in the journal's cluster copy.
        Assert.Equal(ExitCodes.RollbackFailed, rehearsal.Run("Rollback", $"--run={runId}"));
        Assert.Equal("rollback-failed", (await rehearsal.Environment.Gateway.RunJournals.ReadAsync(runId, CancellationToken.None))!.State);
        faults.ClearRequestFaults();

        rehearsal.RunExpecting(ExitCodes.Success, "Rollback", $"--run={runId}");
        Assert.Empty(before.Differences(await rehearsal.SnapshotAsync()));
    }

    [Fact]
    public async Task Rollback_of_a_run_asks_for_confirmation_and_refuses_while_a_live_run_holds_the_lock()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var before = await rehearsal.SnapshotAsync();
        rehearsal.RunExpecting(ExitCodes.Failed, "BlueGreenDeploy", "--image-tag=v2.0", "--inject-failure=SwitchTraffic", "--no-rollback");
        var runId = rehearsal.LatestReport().GetProperty("runId").GetString()!;
        var leftOver = await rehearsal.SnapshotAsync();

        Assert.Equal(ExitCodes.BadInput, new CakeHost().UseTwisterLab().Run(
            ["--target=Rollback", $"--run={runId}", .. rehearsal.Environment.Arguments, $"--working={rehearsal.WorkingDirectory}"]));
        Assert.Contains("needs confirmation", rehearsal.LatestReport().GetProperty("error").GetString());
        Assert.Empty(leftOver.Differences(await rehearsal.SnapshotAsync()));

        await using (var live = rehearsal.Environment.Gateway.RunLock(OtherRun))
        {
            await live.AcquireAsync(CancellationToken.None);
            Assert.Equal(ExitCodes.Failed, rehearsal.Run("Rollback", $"--run={runId}"));
            var refusal = rehearsal.LatestReport().GetProperty("error").GetString()!;
            Assert.Contains(OtherRun, refusal);
            Assert.DoesNotContain('\n', refusal);
            Assert.Empty(leftOver.Differences(await rehearsal.SnapshotAsync()));
        }

        rehearsal.RunExpecting(ExitCodes.Success, "Rollback", $"--run={runId}");
        Assert.Empty(before.Differences(await rehearsal.SnapshotAsync()));
    }

    [Fact]
    public async Task A_rollback_that_stops_at_an_irreversible_migration_holds_with_exit_3()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var before = await rehearsal.SnapshotAsync();
        Assert.Equal(ExitCodes.Held, rehearsal.Run("RollingUpgrade", "--image-tag=v2.0", "--inject-failure=WaitForRollout", "--no-rollback"));
        var runId = rehearsal.LatestReport().GetProperty("runId").GetString()!;

        Assert.Equal(ExitCodes.Held, rehearsal.Run("Rollback", $"--run={runId}"));

        Assert.Equal("held", rehearsal.Outcome());
        // The image undo comes first and stops before the change: v1 does not know the migrated schema (the schema gate).
        Assert.Contains("is ahead of twisterlab-api:v1", rehearsal.LatestReport().GetProperty("error").GetString());
        Assert.Contains(":v2.0 ", (await rehearsal.SnapshotAsync()).Facts[Deployment]);
        Assert.NotEqual(before.Facts["alembic"], (await rehearsal.SnapshotAsync()).Facts["alembic"]);
    }

    [Fact]
    public async Task FullRollback_refuses_a_newest_backup_folder_that_fails_verification_naming_the_next_before_any_change()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        rehearsal.RunExpecting(ExitCodes.Success, "BackupDatabase", "--exclusive");
        rehearsal.RunExpecting(ExitCodes.Success, "BackupDatabase", "--exclusive");
        // Direct backups are directory-format folders: the newest is chosen by its manifest's time, one byte changed in one of its files.
        var backups = Directory.GetDirectories(Path.Combine(rehearsal.WorkingDirectory, "backups"), "backup_pre_upgrade_*").Order(StringComparer.Ordinal).ToList();
        File.SetLastWriteTimeUtc(TwisterLab.Cake.Data.BackupManifest.PathFor(backups[0]), DateTime.UtcNow.AddMinutes(-5));
        await using (var damaged = File.OpenWrite(Directory.GetFiles(backups[1], "*.dat.gz").OrderByDescending(file => new FileInfo(file).Length).First()))
        {
            damaged.Seek(100, SeekOrigin.Begin);
            damaged.WriteByte(0x42);
        }

        var before = await rehearsal.SnapshotAsync();

        Assert.Equal(ExitCodes.BadInput, rehearsal.Run("FullRollback"));
        var refusal = rehearsal.LatestReport().GetProperty("error").GetString()!;
        Assert.Contains(Path.GetFileName(backups[1]), refusal);
        Assert.Contains($"--backup=backups/{Path.GetFileName(backups[0])}", refusal);

        Assert.Equal(ExitCodes.BadInput, rehearsal.Run("FullRollback", $"--backup={backups[1]}"));
        Assert.Empty(before.Differences(await rehearsal.SnapshotAsync()));
        Assert.DoesNotContain(rehearsal.LatestReport().GetProperty("steps").EnumerateArray(), step => step.GetProperty("name").GetString() == "ScaleDownApi");
    }

    /// <summary>
    /// Run alone, RestoreDatabase verifies the chosen backup while it takes the safety backup: a refusal stops or removes
    /// that backup, so the refused run leaves the database and the backup folder as they were.
    /// </summary>
    [Fact]
    public async Task RestoreDatabase_alone_refuses_a_damaged_backup_and_leaves_no_safety_backup_behind()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        rehearsal.RunExpecting(ExitCodes.Success, "BackupDatabase", "--exclusive");
        var folder = Path.Combine(rehearsal.WorkingDirectory, "backups");
        var backup = Directory.GetDirectories(folder, "backup_pre_upgrade_*").Single();
        await using (var damaged = File.OpenWrite(Directory.GetFiles(backup, "*.dat.gz").OrderByDescending(file => new FileInfo(file).Length).First()))
        {
            damaged.Seek(100, SeekOrigin.Begin);
            damaged.WriteByte(0x42);
        }

        var files = Directory.GetFileSystemEntries(folder).Order(StringComparer.Ordinal).ToList();
        var before = await rehearsal.SnapshotAsync();

        Assert.Equal(ExitCodes.BadInput, rehearsal.Run("RestoreDatabase", $"--backup={backup}"));
        Assert.Contains("fails verification", rehearsal.LatestReport().GetProperty("error").GetString());
        Assert.Empty(before.Differences(await rehearsal.SnapshotAsync()));
        Assert.Equal(files, Directory.GetFileSystemEntries(folder).Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public async Task Run_files_are_owner_only_partials_are_swept_and_the_key_is_forgotten_when_the_run_succeeded()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var backups = Directory.CreateDirectory(Path.Combine(rehearsal.WorkingDirectory, "backups")).FullName;
        var leftOver = Path.Combine(backups, "backup_pre_upgrade_20200101-000000000-dead.dump.partial");
        File.WriteAllBytes(leftOver, []);
        var leftOverFolder = Directory.CreateDirectory(Path.Combine(backups, "backup_pre_upgrade_20200101-000000000-beef.partial")).FullName;
        File.WriteAllBytes(Path.Combine(leftOverFolder, "toc.dat"), []);

        rehearsal.RunExpecting(ExitCodes.Success, "MigrateToMultiTenant");

        var runId = rehearsal.LatestReport().GetProperty("runId").GetString()!;
        Assert.False(File.Exists(leftOver));
        Assert.False(Directory.Exists(leftOverFolder), "a killed directory-format dump's folder was left behind");
        var password = new Npgsql.NpgsqlConnectionStringBuilder(rehearsal.Environment.Database.ConnectionString).Password!;
        var kept = (await rehearsal.Environment.Gateway.RunJournals.ReadAsync(runId, CancellationToken.None))!;
        Assert.Equal("succeeded", kept.State);
        Assert.Contains("serverProtected", System.Text.Encoding.UTF8.GetString(kept.Journal));
        Assert.DoesNotContain(password, System.Text.Encoding.UTF8.GetString(kept.Journal));
        Assert.False(Directory.Exists(RunStore.KeyFolderOf(runId)), "the run's key outlived a run that succeeded");
        const UnixFileMode folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        const UnixFileMode file = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        Assert.Equal(folder, File.GetUnixFileMode(rehearsal.LatestRunFolder()));
        Assert.Equal(folder, File.GetUnixFileMode(backups));
        foreach (var path in Directory.GetFiles(rehearsal.LatestRunFolder()).Concat(Directory.GetFiles(backups, "*", SearchOption.AllDirectories)))
        {
            Assert.True(file == File.GetUnixFileMode(path), $"{path} is {File.GetUnixFileMode(path)}");
        }
    }

    [Fact]
    public async Task An_expired_lease_of_a_run_that_left_no_unfinished_journal_is_taken_over_as_before()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var longAgo = DateTime.UtcNow.AddMinutes(-10);
        await rehearsal.Environment.Gateway.Client.CoordinationV1.CreateNamespacedLeaseAsync(new k8s.Models.V1Lease
        {
            Metadata = new() { Name = RunLock.LeaseName },
            Spec = new() { HolderIdentity = "alice@old run 20200101-000000000-dead (SetImage)", LeaseDurationSeconds = 60, AcquireTime = longAgo, RenewTime = longAgo },
        }, RehearsalNamespace);

        rehearsal.RunExpecting(ExitCodes.Success, "SetImage", "--image-tag=v2.1", "--exclusive");
    }

    private const string RehearsalNamespace = TwisterLab.Cake.Rehearsal.RehearsalEnvironment.Namespace;

    /// <summary>Starts BlueGreenDeploy as its own process, kills it (SIGKILL) while blue stays warm, returns its run id.</summary>
    private static async Task<string> KillMidChainAsync(Rehearsal rehearsal)
    {
        using var process = StartHost(rehearsal, "--target=BlueGreenDeploy", "--image-tag=v2.0", "--scale-down-delay=10m", "--lease-duration=2s");
        await KilledRunTests.WaitForLine(process, "RetireBlue");
        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        await WaitForLeaseExpiryAsync(rehearsal);
        var copy = Assert.Single(await rehearsal.Environment.Gateway.RunJournals.ListAsync(CancellationToken.None));
        Assert.True(copy.Unfinished);
        return copy.RunId;
    }

    /// <summary>The host as a separate process (signals), against the rehearsal, in its working directory.</summary>
    private static Process StartHost(Rehearsal rehearsal, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        string[] all = [Path.Combine(AppContext.BaseDirectory, "TwisterLab.Cake.DemoHost.dll"), .. rehearsal.Environment.Arguments, .. arguments, $"--working={rehearsal.WorkingDirectory}", "--confirm"];
        foreach (var argument in all)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    private static void Signal(Process process, string signal) => Process.Start("kill", [$"-{signal}", process.Id.ToString()])!.WaitForExit();

    /// <summary>Waits until the lease's holder stopped renewing past its duration (read from the lease, not assumed).</summary>
    private static async Task WaitForLeaseExpiryAsync(Rehearsal rehearsal)
    {
        var client = rehearsal.Environment.Gateway.Client;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (true)
        {
            var lease = await client.CoordinationV1.ReadNamespacedLeaseAsync(RunLock.LeaseName, RehearsalNamespace, cancellationToken: timeout.Token);
            if (RunLock.IsExpired(lease.Spec, DateTime.UtcNow))
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), timeout.Token);
        }
    }
}

/// <summary>Arms an action when a given step has ended (e.g. an API fault that meets the rollback's undos).</summary>
public sealed class AfterStep(string step, Action action) : IFrostingTaskTeardown
{
    public void Teardown(ICakeContext context, ITaskTeardownContext info)
    {
        if (info.Task.Name == step)
        {
            action();
        }
    }
}
