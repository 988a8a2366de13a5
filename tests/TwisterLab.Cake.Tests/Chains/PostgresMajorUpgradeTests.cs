using Microsoft.Extensions.DependencyInjection;
using k8s;
using Npgsql;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rehearsal;

namespace TwisterLab.Cake.Tests.Chains;

public sealed class PostgresMajorUpgradeTests
{
    /// <summary>The steps a run takes on the default path (the old server has wal_level = logical).</summary>
    public static readonly string[] Steps =
    [
        "Preflight", "PreflightLive", "ChooseCopyPath", "BackupDatabase", "DeployNewPostgres", "CopySchemaToNewPostgres", "StartReplication", "WaitForReplicationCatchUp",
        "FreezeWritesForSwitch", "FinishReplication", "VerifyNewPostgresIntegrity", "PointSecretAtNewPostgres", "RestartApi", "ResumeWrites", "VerifyContentAtFreeze",
        "VerifyNewPostgres",
    ];

    /// <summary>The steps only the dump/restore path takes (wal_level = replica).</summary>
    public static readonly string[] DumpSteps = ["FreezeWritesForCopy", "RestoreIntoNewPostgres"];

    private static readonly string[] DatabaseOnly =
    [
        "ChooseCopyPath", "BackupDatabase", "CopySchemaToNewPostgres", "StartReplication", "WaitForReplicationCatchUp", "FreezeWritesForSwitch", "FinishReplication",
        "VerifyNewPostgresIntegrity", "ResumeWrites", "VerifyContentAtFreeze",
    ];

    private static async Task<string[]> NewServer(Rehearsal rehearsal) =>
        [$"--new-database-url={(await rehearsal.Environment.StartNewPostgresAsync()).ConnectionString}"];

    [Fact]
    public async Task Replicates_while_a_writer_writes_and_points_the_api_at_the_new_server_losing_no_write()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var arguments = await NewServer(rehearsal);
        var writer = await RehearsalWriter.StartAsync(rehearsal.Environment);
        var before = await rehearsal.SnapshotAsync();

        Assert.Equal(ExitCodes.Success, rehearsal.Run("PostgresMajorUpgrade", arguments));

        var writes = await writer.StopAndCountAsync();
        Assert.True(writes.Acknowledged > 0 && writes.Found == writes.Acknowledged, writes.Line);
        Assert.True(await RowsAsync(rehearsal.Environment.NewDatabase!) > await RowsAsync(rehearsal.Environment.Database), "the writer wrote to the new server after the switch");
        Assert.Contains(rehearsal.LatestLog(), line => line.Contains("by logical replication"));
        Assert.Contains(rehearsal.LatestNotes(), note => note.StartsWith("Writes were refused for", StringComparison.Ordinal));
        Assert.DoesNotContain(rehearsal.LatestLog(), line => line.Contains(rehearsal.Environment.Postgres.Password, StringComparison.Ordinal));
        Assert.Empty(await LogicalReplication.LeftoversAsync(rehearsal.Environment.Database, rehearsal.Environment.NewDatabase!, CancellationToken.None));
        Assert.False(await WriteFreeze.IsFrozenAsync(rehearsal.Environment.Database, CancellationToken.None));
        await using (var table = new NpgsqlConnection(rehearsal.Environment.Database.ConnectionString))
        {
            // The writer's table was copied with the rest: the old server's copy is what it held at the freeze.
            await table.OpenAsync();
            await new NpgsqlCommand($"DELETE FROM {RehearsalWriter.Table}", table).ExecuteNonQueryAsync();
            await using var newer = new NpgsqlConnection(rehearsal.Environment.NewDatabase!.ConnectionString);
            await newer.OpenAsync();
            await new NpgsqlCommand($"DELETE FROM {RehearsalWriter.Table}", newer).ExecuteNonQueryAsync();
        }

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
    public async Task Without_logical_wal_refuses_replication_then_dumps_with_writes_refused_throughout_losing_no_write()
    {
        await using var rehearsal = await Rehearsal.StartAsync(new RehearsalOptions(RepositoryRoot.Path) { LogicalWal = false });
        var arguments = await NewServer(rehearsal);
        await ChainChecks.AssertRefusedAsync(rehearsal, "PostgresMajorUpgrade", "wal_level = replica: run ALTER SYSTEM SET wal_level = logical", [.. arguments, "--pg-copy=replication"]);
        var writer = await RehearsalWriter.StartAsync(rehearsal.Environment);

        rehearsal.RunExpecting(ExitCodes.Success, "PostgresMajorUpgrade", arguments);

        var writes = await writer.StopAndCountAsync();
        Assert.True(writes.Acknowledged > 0 && writes.Found == writes.Acknowledged, writes.Line);
        Assert.Contains(rehearsal.LatestNotes(), note => note.Contains("by dump/restore with writes refused for the whole copy") && note.Contains("wal_level = replica"));
        Assert.False(await WriteFreeze.IsFrozenAsync(rehearsal.Environment.Database, CancellationToken.None));
    }

    [Fact]
    public async Task A_difference_found_after_writes_resumed_holds_on_the_new_server_losing_no_write()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var arguments = await NewServer(rehearsal);
        var writer = await RehearsalWriter.StartAsync(rehearsal.Environment);
        var newDatabase = rehearsal.Environment.NewDatabase!;

        // Given a row changed on the new server inside the freeze (a session that ignored it), before its content is pinned.
        var exitCode = rehearsal.Run("PostgresMajorUpgrade", arguments, services => services.AddSingleton<IFrostingTaskSetup>(new AtStep("VerifyNewPostgresIntegrity", () =>
        {
            using var connection = new NpgsqlConnection(newDatabase.ConnectionString);
            connection.Open();
            new NpgsqlCommand("UPDATE tickets SET body = 'changed behind the freeze' WHERE id = 1", connection).ExecuteNonQuery();
        })));

        // Then the run holds: writes go on to the new server, none lost, nothing switched back, the old server writable.
        Assert.True(exitCode == ExitCodes.Held, $"exited {exitCode}:\n{string.Join("\n", rehearsal.LatestLog().TakeLast(30))}");
        var writes = await writer.StopAndCountAsync();
        Assert.True(writes.Acknowledged > 0 && writes.Found == writes.Acknowledged, writes.Line);
        Assert.Equal(newDatabase.ConnectionString, (await rehearsal.Environment.ApiDatabaseAsync()).ConnectionString);
        Assert.Contains(rehearsal.LatestNotes(), note => note.StartsWith("Held:", StringComparison.Ordinal) && note.Contains("public.tickets: content checksum differs"));
        Assert.False(await WriteFreeze.IsFrozenAsync(rehearsal.Environment.Database, CancellationToken.None));
        Assert.Empty(await LogicalReplication.LeftoversAsync(rehearsal.Environment.Database, newDatabase, CancellationToken.None));
        Assert.Equal("held", rehearsal.Outcome());

        // And a later rollback stops at the same point instead of switching back over those writes.
        Assert.Equal(ExitCodes.Held, rehearsal.Run("Rollback", "--run=latest"));
        Assert.Equal(newDatabase.ConnectionString, (await rehearsal.Environment.ApiDatabaseAsync()).ConnectionString);
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

    public static TheoryData<string, string> Faults() => ChainChecks.Matrix(Steps, withoutKubernetesCalls: DatabaseOnly);

    [Theory]
    [MemberData(nameof(Faults))]
    public Task A_fault_at_any_step_before_the_delete_puts_secret_api_and_servers_back(string step, string kind) =>
        ChainChecks.AssertWorldRestoredAsync("PostgresMajorUpgrade", step, kind, NewServer, ServersBackAsync);

    public static TheoryData<string, string> DumpFaults() => ChainChecks.Matrix(DumpSteps, withoutKubernetesCalls: DumpSteps);

    [Theory]
    [MemberData(nameof(DumpFaults))]
    public Task A_fault_on_the_dump_path_lifts_the_freeze_and_puts_the_servers_back(string step, string kind) =>
        ChainChecks.AssertWorldRestoredAsync("PostgresMajorUpgrade", step, kind, NewServer, ServersBackAsync, new RehearsalOptions(RepositoryRoot.Path) { LogicalWal = false });

    /// <summary>Beyond the world snapshot: no claim of the new server, its database empty, no replication left, the old server writable.</summary>
    private static async Task ServersBackAsync(Rehearsal rehearsal)
    {
        Assert.Equal(["postgres-data"], await ClaimsAsync(rehearsal));
        Assert.Equal(0, await TablesAsync(rehearsal.Environment.NewDatabase!));
        Assert.Empty(await LogicalReplication.LeftoversAsync(rehearsal.Environment.Database, rehearsal.Environment.NewDatabase!, CancellationToken.None));
        Assert.False(await WriteFreeze.IsFrozenAsync(rehearsal.Environment.Database, CancellationToken.None));
    }

    private static async Task<long> RowsAsync(PostgresTarget database)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        return (long)(await new NpgsqlCommand($"SELECT count(*) FROM {RehearsalWriter.Table}", connection).ExecuteScalarAsync())!;
    }

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
