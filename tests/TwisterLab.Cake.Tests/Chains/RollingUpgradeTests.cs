using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests.Chains;

public sealed class RollingUpgradeTests
{
    public static readonly string[] Steps = ["Preflight", "BackupDatabase", "ApplyMigrations", "SetImage", "WaitForRollout", "VerifyHealth", "MonitorHealth"];

    [Fact]
    public async Task Upgrades_the_image_and_the_schema()
    {
        await using var rehearsal = await Rehearsal.StartAsync();

        Assert.Equal(ExitCodes.Success, rehearsal.Run("RollingUpgrade", "--image-tag=v2.0"));

        var world = await rehearsal.SnapshotAsync();
        Assert.StartsWith("twisterlab-api=twisterlab-api:v2.0 replicas=3", world.Facts["deployment/twisterlab-api"]);
        Assert.Equal("0002_ticket_priority", world.Facts["alembic"]);
        Assert.Equal("succeeded", rehearsal.Outcome());
    }

    [Fact]
    public async Task An_unpullable_image_rolls_back_image_and_schema_when_the_migration_is_reversible()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        rehearsal.Environment.Cluster.Faults.MakeImageUnpullable("twisterlab-api:v2-typo");
        var before = await rehearsal.SnapshotAsync();

        Assert.Equal(ExitCodes.Failed, rehearsal.Run("RollingUpgrade", "--image-tag=v2-typo", "--migrations-reversible"));

        Assert.Empty(before.Differences(await rehearsal.SnapshotAsync()));
        Assert.Equal("rolledBack", rehearsal.Outcome());
    }

    [Fact]
    public async Task A_failure_after_an_irreversible_migration_holds_instead_of_undoing()
    {
        await using var rehearsal = await Rehearsal.StartAsync();

        Assert.Equal(ExitCodes.Held, rehearsal.Run("RollingUpgrade", "--image-tag=v2.0", "--inject-failure=WaitForRollout"));

        Assert.Equal("held", rehearsal.Outcome());
        Assert.Contains(rehearsal.LatestReport().GetProperty("notes").EnumerateArray(), note => note.GetString()!.Contains("FullRollback --backup="));
    }

    public static TheoryData<string, string> Faults() => ChainChecks.Matrix(Steps);

    [Theory]
    [MemberData(nameof(Faults))]
    public Task A_fault_at_any_step_leaves_the_world_as_it_was(string step, string kind) =>
        ChainChecks.AssertWorldRestoredAsync("RollingUpgrade", step, kind, ["--image-tag=v2.0", "--migrations-reversible"]);
}
