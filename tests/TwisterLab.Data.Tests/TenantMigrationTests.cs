using Npgsql;
using TwisterLab.Cake.Data;

namespace TwisterLab.Data.Tests;

public sealed class TenantMigrationTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    private readonly TenantMigrator _migrator = new();

    private async Task<PostgresTarget> SampleAsync()
    {
        var db = await postgres.CreateDatabaseAsync("ten");
        await PostgresFixture.ExecuteAsync(db, SampleSchema.Sql);
        return db;
    }

    [Fact]
    public async Task Adds_tenant_id_without_rewriting_tables_and_undo_removes_it()
    {
        var db = await SampleAsync();
        var before = await IntegritySnapshotter.TakeAsync(db);
        var fileBefore = await PostgresFixture.ScalarAsync<uint>(db, "SELECT relfilenode::oid FROM pg_class WHERE relname = 'tickets'");
        var versions = Directory.CreateTempSubdirectory("twl-alembic-").FullName;

        var result = await _migrator.MigrateAsync(db, new TenantMigrationOptions { AlembicVersionsDirectory = versions });

        Assert.Equal(["Order Lines", "agents", "tickets"], result.Changes.Select(c => c.Table).Order(StringComparer.Ordinal));
        Assert.All(result.Changes, c => Assert.True(c.AddedColumn));
        Assert.Equal(2000L, await PostgresFixture.ScalarAsync<long>(db, "SELECT count(*) FROM tickets WHERE tenant_id = 'default'"));
        // Metadata-only: the table keeps its file and the default lives in the catalog.
        Assert.Equal(fileBefore, await PostgresFixture.ScalarAsync<uint>(db, "SELECT relfilenode::oid FROM pg_class WHERE relname = 'tickets'"));
        Assert.True(await PostgresFixture.ScalarAsync<bool>(db, "SELECT atthasmissing FROM pg_attribute WHERE attrelid = 'tickets'::regclass AND attname = 'tenant_id'"));
        Assert.Equal("NO", await PostgresFixture.ScalarAsync<string>(db, "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'tickets' AND column_name = 'tenant_id'"));
        Assert.Equal(3L, await PostgresFixture.ScalarAsync<long>(db, "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'ix_%_tenant' AND i.indisvalid"));
        Assert.False(await PostgresFixture.ScalarAsync<bool>(db, "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = 'alembic_version' AND column_name = 'tenant_id')"));
        var revisionFile = await File.ReadAllTextAsync(result.AlembicFile!);
        Assert.Contains("down_revision = \"a1b2c3d4e5f6\"", revisionFile);
        Assert.Contains("revision = \"add_tenant_support\"", revisionFile);
        Assert.Contains("\"CREATE INDEX CONCURRENTLY IF NOT EXISTS \\\"ix_tickets_tenant\\\" ON \\\"public\\\".\\\"tickets\\\" (tenant_id)\",", revisionFile);
        Assert.Contains("with op.get_context().autocommit_block():", revisionFile);

        var again = await _migrator.MigrateAsync(db);
        Assert.All(again.Changes, c => Assert.Equal((false, null), (c.AddedColumn, c.AddedIndex)));

        await _migrator.UndoAsync(db, result);
        Assert.Empty((await IntegritySnapshotter.TakeAsync(db)).CompareTo(before));
        Assert.Equal(0L, await PostgresFixture.ScalarAsync<long>(db, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'tenant_id'"));
        Assert.False(File.Exists(result.AlembicFile));
        Directory.Delete(versions, recursive: true);
    }

    [Fact]
    public async Task A_lock_held_too_long_fails_cleanly_and_undoes_tables_already_done()
    {
        var db = await SampleAsync();
        await using var blocker = new NpgsqlConnection(db.ConnectionString);
        await blocker.OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("SELECT count(*) FROM tickets", blocker, transaction)) await hold.ExecuteScalarAsync();

        var error = await Assert.ThrowsAsync<DataOperationException>(() => _migrator.MigrateAsync(db,
            new TenantMigrationOptions { LockTimeout = TimeSpan.FromMilliseconds(100), MaxAttempts = 2 }));

        Assert.Contains("lock timeout", error.Message);
        await transaction.RollbackAsync();
        Assert.Equal(0L, await PostgresFixture.ScalarAsync<long>(db, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'tenant_id'"));
        Assert.Equal(0L, await PostgresFixture.ScalarAsync<long>(db, "SELECT count(*) FROM pg_class WHERE relname LIKE 'ix_%_tenant'"));
    }

    [Fact]
    public async Task Retries_until_a_short_lock_is_released()
    {
        var db = await SampleAsync();
        await using var blocker = new NpgsqlConnection(db.ConnectionString);
        await blocker.OpenAsync();
        var transaction = await blocker.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("SELECT count(*) FROM agents", blocker, transaction)) await hold.ExecuteScalarAsync();
        var release = Task.Run(async () => { await Task.Delay(400); await transaction.RollbackAsync(); });

        var result = await _migrator.MigrateAsync(db, new TenantMigrationOptions { Tables = ["agents"], LockTimeout = TimeSpan.FromMilliseconds(100), MaxAttempts = 10 });

        await release;
        Assert.Equal([new TenantTableChange("agents", true, "ix_agents_tenant")], result.Changes);
    }

    [Fact]
    public async Task Missing_table_and_bad_tenant_are_refused_before_any_change()
    {
        var db = await SampleAsync();
        var missing = await Assert.ThrowsAsync<DataOperationException>(() => _migrator.MigrateAsync(db, new TenantMigrationOptions { Tables = ["agents", "ghosts"] }));
        Assert.Contains("ghosts not found", missing.Message);
        await Assert.ThrowsAsync<DataOperationException>(() => _migrator.MigrateAsync(db, new TenantMigrationOptions { DefaultTenant = new string('t', 51) }));
        Assert.Equal(0L, await PostgresFixture.ScalarAsync<long>(db, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'tenant_id'"));
    }

    [Fact]
    public void Index_names_are_stable_and_fit_postgres_identifiers()
    {
        Assert.Equal("ix_agents_tenant", TenantMigrator.IndexName("agents"));
        var longName = new string('t', 70);
        Assert.Equal(TenantMigrator.IndexName(longName), TenantMigrator.IndexName(longName));
        Assert.True(TenantMigrator.IndexName(longName).Length <= 63);
        Assert.NotEqual(TenantMigrator.IndexName(longName), TenantMigrator.IndexName(longName + "x"));
    }
}
