using Npgsql;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests.Chains;

[Collection(HostCollection.Name)]
public sealed class MigrateToMultiTenantTests
{
    public static readonly string[] Steps = ["Preflight", "BackupDatabase", "MigrateTenants", "VerifyTenants", "CreateTenantAgent", "VerifyHealth"];

    [Fact]
    public async Task Adds_a_not_null_tenant_to_every_table_keeps_the_rows_and_creates_a_tenant_agent()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var before = await rehearsal.SnapshotAsync();

        Assert.Equal(ExitCodes.Success, rehearsal.Run("MigrateToMultiTenant"));

        var after = await rehearsal.SnapshotAsync();
        Assert.Equal(before.Facts["table/public.agents"].Split(' ')[0], after.Facts["table/public.agents"].Split(' ')[0]);
        Assert.NotEqual(before.Facts["table/public.agents"], after.Facts["table/public.agents"]);
        await using var connection = new NpgsqlConnection(rehearsal.Environment.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM agents WHERE tenant_id = 'default'", connection);
        Assert.Equal(before.Facts["table/public.agents"].Split(' ')[0], $"rows={(long)(await command.ExecuteScalarAsync())!}");
        Assert.Contains(rehearsal.LatestLog(), line => line.Contains("agent created for tenant-123"));
        Assert.Equal("succeeded", rehearsal.Outcome());
    }

    public static TheoryData<string, string> Faults() => ChainChecks.Matrix(Steps, withoutKubernetesCalls: ["BackupDatabase", "MigrateTenants", "VerifyTenants"]);

    [Theory]
    [MemberData(nameof(Faults))]
    public Task A_fault_at_any_step_restores_the_single_tenant_database(string step, string kind) =>
        ChainChecks.AssertWorldRestoredAsync("MigrateToMultiTenant", step, kind, _ => Task.FromResult(Array.Empty<string>()));
}
