using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests.Chains;

public sealed class RollbackChainTests
{
    [Fact]
    public async Task Quick_rollback_undoes_the_last_rollout()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var before = await rehearsal.SnapshotAsync();
        Assert.Equal(ExitCodes.Success, rehearsal.Run("SetImage", "--image-tag=v2.0", "--exclusive"));
        Assert.Equal(ExitCodes.Success, rehearsal.Run("WaitForRollout", "--exclusive"));
        Assert.NotEqual(before.Facts["deployment/twisterlab-api"], (await rehearsal.SnapshotAsync()).Facts["deployment/twisterlab-api"]);

        Assert.Equal(ExitCodes.Success, rehearsal.Run("Rollback"));

        Assert.Equal(before.Facts["deployment/twisterlab-api"], (await rehearsal.SnapshotAsync()).Facts["deployment/twisterlab-api"]);
    }

    [Fact]
    public async Task Full_rollback_restores_the_pre_upgrade_backup_and_the_previous_image()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var before = await rehearsal.SnapshotAsync();
        Assert.Equal(ExitCodes.Success, rehearsal.Run("RollingUpgrade", "--image-tag=v2.0"));
        Assert.NotEmpty(before.Differences(await rehearsal.SnapshotAsync()));
        // Direct (--database-url): the backup is a directory-format folder, dumped with a job per core, the reason in its manifest.
        var backup = Assert.Single(Directory.GetDirectories(Path.Combine(rehearsal.WorkingDirectory, "backups"), "backup_pre_upgrade_*"));
        var manifest = await TwisterLab.Cake.Data.BackupManifest.ReadAsync(backup);
        Assert.Equal(("directory", TwisterLab.Cake.Data.BackupOptions.DirectJobs), (manifest.Format, manifest.Jobs));
        Assert.Contains("directory format", manifest.OptionsReason);

        Assert.Equal(ExitCodes.Success, rehearsal.Run("FullRollback"));

        Assert.Empty(before.Differences(await rehearsal.SnapshotAsync()));
        Assert.Contains(rehearsal.LatestLog(), line => line.Contains("Restored ") && line.Contains(Path.GetFileName(backup)));
    }

    [Fact]
    public async Task Post_upgrade_verification_prints_the_checklist()
    {
        await using var rehearsal = await Rehearsal.StartAsync();

        Assert.Equal(ExitCodes.Success, rehearsal.Run("PostUpgradeVerify"));

        var checklist = string.Join("\n", rehearsal.LatestReport().GetProperty("notes").EnumerateArray().Select(note => note.GetString()));
        Assert.Contains("| MCP classify_ticket | ok |", checklist);
        Assert.Contains("| Schema version (alembic current) | ok | 0001_initial |", checklist);
        Assert.Contains("| Browser agent (optional) | skipped |", checklist);
    }

    public static TheoryData<string, string> Faults() => ChainChecks.Matrix(["ScaleDownApi", "RestoreDatabase", "SetPreviousImage", "ScaleUpApi", "WaitForRollout", "VerifyHealth"]);

    [Theory]
    [MemberData(nameof(Faults))]
    public Task A_fault_at_any_step_of_FullRollback_leaves_the_world_as_it_was(string step, string kind) =>
        ChainChecks.AssertWorldRestoredAsync("FullRollback", step, kind, ["--image-tag=v1"], ["BackupDatabase", "--exclusive"]);
}

public sealed class RunLockTests
{
    [Fact]
    public async Task A_second_run_in_the_namespace_fails_at_once_naming_the_holder_and_changes_nothing()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        await using var other = rehearsal.Environment.Gateway.RunLock("alice@ci run 42");
        await other.AcquireAsync(CancellationToken.None);
        var before = await rehearsal.SnapshotAsync();

        Assert.Equal(ExitCodes.Failed, rehearsal.Run("RollingUpgrade", "--image-tag=v2.0"));

        Assert.Contains("alice@ci run 42", rehearsal.LatestReport().GetProperty("error").GetString());
        Assert.Empty(before.Differences(await rehearsal.SnapshotAsync()));
    }

    [Fact]
    public async Task The_lock_is_released_at_the_end_so_the_next_run_proceeds()
    {
        await using var rehearsal = await Rehearsal.StartAsync();

        Assert.Equal(ExitCodes.Success, rehearsal.Run("SetImage", "--image-tag=v2.0", "--exclusive"));
        Assert.Equal(ExitCodes.Success, rehearsal.Run("SetImage", "--image-tag=v2.1", "--exclusive"));
    }
}
