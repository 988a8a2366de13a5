using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests.Chains;

public sealed class MaintenanceUpgradeTests
{
    public static readonly string[] Steps =
        ["Preflight", "EnterMaintenance", "BackupDatabase", "ApplySchemaMigrations", "DeployNewVersion", "RunDataMigration", "VerifyIntegrity", "ExitMaintenance", "VerifyHealth"];

    [Fact]
    public async Task Upgrades_schema_data_and_image_behind_the_maintenance_page_and_removes_it()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var before = await rehearsal.SnapshotAsync();

        Assert.Equal(ExitCodes.Success, rehearsal.Run("MaintenanceUpgrade", "--image-tag=v2.0"));

        var after = await rehearsal.SnapshotAsync();
        Assert.Equal("twisterlab-api=twisterlab-api:v2.0 replicas=3", after.Facts["deployment/twisterlab-api"]);
        Assert.DoesNotContain("deployment/twisterlab-maintenance", after.Facts.Keys);
        Assert.Equal(before.Facts["table/public.agents"].Split(' ')[0], after.Facts["table/public.agents"].Split(' ')[0]);
        Assert.NotEqual(before.Facts["table/public.agents"], after.Facts["table/public.agents"]);
    }

    public static TheoryData<string, string> Faults() => ChainChecks.Matrix(Steps);

    [Theory]
    [MemberData(nameof(Faults))]
    public Task A_fault_at_any_step_restores_database_image_and_removes_the_page(string step, string kind) =>
        ChainChecks.AssertWorldRestoredAsync("MaintenanceUpgrade", step, kind, ["--image-tag=v2.0"]);
}
