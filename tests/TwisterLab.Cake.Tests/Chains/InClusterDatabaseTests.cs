using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests.Chains;

/// <summary>
/// The chains without --database-url: the backup is pg_dump in the postgres pod streamed over exec, the restore is
/// the archive streamed into pg_restore in the pod. Given a fresh rehearsal; When a chain runs (with a fault);
/// Then the world is as expected, the database included.
/// </summary>
public sealed class InClusterDatabaseTests
{
    [Fact]
    public async Task RollingUpgrade_backs_up_through_exec_and_upgrades()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        rehearsal.DatabaseInCluster = true;

        Assert.Equal(ExitCodes.Success, rehearsal.Run("RollingUpgrade", "--image-tag=v2.0", "--verify-restore"));

        Assert.Equal("0002_ticket_priority", (await rehearsal.SnapshotAsync()).Facts["alembic"]);
        Assert.Contains(rehearsal.LatestLog(), line => line.Contains("(deployment/postgres in namespace twisterlab)") && line.Contains("verified"));
        Assert.DoesNotContain(rehearsal.LatestLog(), line => line.Contains(rehearsal.Environment.Postgres.Password));
    }

    [Fact]
    public async Task Full_rollback_restores_the_pre_upgrade_backup_through_exec()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        rehearsal.DatabaseInCluster = true;
        var before = await rehearsal.SnapshotAsync();
        Assert.Equal(ExitCodes.Success, rehearsal.Run("RollingUpgrade", "--image-tag=v2.0"));
        Assert.NotEmpty(before.Differences(await rehearsal.SnapshotAsync()));

        Assert.Equal(ExitCodes.Success, rehearsal.Run("FullRollback"));

        Assert.Empty(before.Differences(await rehearsal.SnapshotAsync()));
    }

    /// <summary>MaintenanceUpgrade checks integrity with its own connection: without one it is refused before the backup.</summary>
    [Fact]
    public async Task A_chain_with_a_step_that_connects_itself_is_refused_before_any_change()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        rehearsal.DatabaseInCluster = true;

        await ChainChecks.AssertRefusedAsync(rehearsal, "MaintenanceUpgrade", "VerifyIntegrity: add --database-url=", "--image-tag=v2.0");

        Assert.False(Directory.Exists(Path.Combine(rehearsal.WorkingDirectory, "backups")) && Directory.EnumerateFileSystemEntries(Path.Combine(rehearsal.WorkingDirectory, "backups")).Any());
    }

    public static TheoryData<string, string> RollingUpgradeFaults() => ChainChecks.Matrix(RollingUpgradeTests.Steps);

    [Theory]
    [MemberData(nameof(RollingUpgradeFaults))]
    public Task RollingUpgrade_a_fault_at_any_step_leaves_the_world_as_it_was(string step, string kind) =>
        ChainChecks.AssertWorldRestoredAsync("RollingUpgrade", step, kind, databaseInCluster: true, ["--image-tag=v2.0", "--migrations-reversible"]);

    public static TheoryData<string, string> FullRollbackFaults() => ChainChecks.Matrix(["ScaleDownApi", "RestoreDatabase", "SetPreviousImage", "ScaleUpApi", "WaitForRollout", "VerifyHealth"]);

    /// <summary>The restore's own undo (the safety backup taken through exec) is restored through exec too.</summary>
    [Theory]
    [MemberData(nameof(FullRollbackFaults))]
    public Task FullRollback_a_fault_at_any_step_leaves_the_world_as_it_was(string step, string kind) =>
        ChainChecks.AssertWorldRestoredAsync("FullRollback", step, kind, databaseInCluster: true, ["--image-tag=v1"], ["BackupDatabase", "--exclusive"]);
}
