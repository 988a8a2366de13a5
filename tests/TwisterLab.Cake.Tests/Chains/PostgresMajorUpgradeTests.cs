using k8s;
using Npgsql;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests.Chains;

[Collection(HostCollection.Name)]
public sealed class PostgresMajorUpgradeTests
{
    public static readonly string[] Steps =
        ["Preflight", "PreflightLive", "BackupDatabase", "DeployNewPostgres", "RestoreIntoNewPostgres", "VerifyNewPostgresIntegrity", "PointSecretAtNewPostgres", "RestartApi", "VerifyNewPostgres"];

    private static async Task<string[]> NewServer(Rehearsal rehearsal) =>
        [$"--new-database-url={(await rehearsal.Environment.StartNewPostgresAsync()).ConnectionString}"];

    [Fact]
    public async Task Moves_the_data_to_the_new_server_and_points_the_api_at_it_keeping_the_old_one()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var arguments = await NewServer(rehearsal);
        var before = await rehearsal.SnapshotAsync();

        Assert.Equal(ExitCodes.Success, rehearsal.Run("PostgresMajorUpgrade", arguments));

        var after = await rehearsal.SnapshotAsync();
        Assert.Equal("postgres=postgres:16 replicas=1", after.Facts["deployment/postgres-16"]);
        Assert.Equal(before.Facts["deployment/postgres"], after.Facts["deployment/postgres"]);
        Assert.NotEqual(before.Facts["secret/twisterlab-secrets"], after.Facts["secret/twisterlab-secrets"]);
        var url = await rehearsal.Environment.Gateway.Secrets.ReadKeyAsync("twisterlab-secrets", "DATABASE_URL", CancellationToken.None);
        Assert.Equal("postgresql+asyncpg://twisterlab:rehearsal@postgres-16:5432/twisterlab", url);
        var old = await IntegritySnapshotter.TakeAsync(rehearsal.Environment.Database);
        var moved = await IntegritySnapshotter.TakeAsync(rehearsal.Environment.NewDatabase!);
        Assert.NotEmpty(moved.Tables);
        Assert.Empty(moved.CompareTo(old));
        Assert.Equal(old.AlembicRevision, moved.AlembicRevision);
        Assert.Contains(rehearsal.LatestLog(), line => line.Contains("both run PostgreSQL"));
        Assert.Equal("succeeded", rehearsal.Outcome());
    }

    [Fact]
    public async Task With_delete_old_removes_the_old_deployment_and_its_claim_after_verification()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var arguments = await NewServer(rehearsal);

        Assert.Equal(ExitCodes.Success, rehearsal.Run("PostgresMajorUpgrade", [.. arguments, "--delete-old"]));

        var after = await rehearsal.SnapshotAsync();
        Assert.DoesNotContain("deployment/postgres", after.Facts.Keys);
        Assert.Contains("deployment/postgres-16", after.Facts.Keys);
        Assert.Equal(["postgres-16-data"], await ClaimsAsync(rehearsal));
    }

    [Fact]
    public async Task Refuses_a_wrong_secret_name_a_missing_manifest_and_a_missing_new_server_before_any_change()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var arguments = await NewServer(rehearsal);

        await ChainChecks.AssertRefusedAsync(rehearsal, "PostgresMajorUpgrade", "secret/twisterlab-secrts does not exist", [.. arguments, "--secret=twisterlab-secrts"]);
        await ChainChecks.AssertRefusedAsync(rehearsal, "PostgresMajorUpgrade", "postgres-17.yaml is missing", [.. arguments, "--new-postgres=postgres-17"]);
        await ChainChecks.AssertRefusedAsync(rehearsal, "PostgresMajorUpgrade", "add --new-database-url=");
        Assert.Equal(["postgres-data"], await ClaimsAsync(rehearsal));
        Assert.Equal(0, await TablesAsync(rehearsal.Environment.NewDatabase!));
    }

    public static TheoryData<string, string> Faults() => ChainChecks.Matrix(Steps, withoutKubernetesCalls: ["BackupDatabase", "RestoreIntoNewPostgres", "VerifyNewPostgresIntegrity"]);

    [Theory]
    [MemberData(nameof(Faults))]
    public Task A_fault_at_any_step_before_the_delete_puts_secret_api_and_servers_back(string step, string kind) =>
        ChainChecks.AssertWorldRestoredAsync("PostgresMajorUpgrade", step, kind, NewServer, async rehearsal =>
        {
            Assert.Equal(["postgres-data"], await ClaimsAsync(rehearsal));
            Assert.Equal(0, await TablesAsync(rehearsal.Environment.NewDatabase!));
        });

    private static async Task<List<string>> ClaimsAsync(Rehearsal rehearsal) =>
        (await rehearsal.Environment.Gateway.Client.CoreV1.ListNamespacedPersistentVolumeClaimAsync("twisterlab")).Items.Select(claim => claim.Metadata.Name).Order().ToList();

    private static async Task<long> TablesAsync(PostgresTarget database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
