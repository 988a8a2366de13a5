using Npgsql;
using Polly;
using Polly.Retry;

namespace TwisterLab.Cake.Data;

/// <summary>
/// Adds <c>tenant_id</c> to every table without rewriting any of them.
/// The guide's path (nullable ADD COLUMN, UPDATE every row, SET NOT NULL) rewrites each table and holds an ACCESS
/// EXCLUSIVE lock for the SET NOT NULL scan. Here: <c>ADD COLUMN tenant_id varchar(50) NOT NULL DEFAULT 'default'</c>,
/// which PostgreSQL 11+ stores in the catalog only (atthasmissing), then <c>CREATE INDEX CONCURRENTLY</c>, which
/// never blocks writes. Each ALTER still needs a brief ACCESS EXCLUSIVE lock; a short <c>lock_timeout</c> with retries
/// keeps it from queueing behind a long query and stalling the application.
/// Safe to run twice: tables that already have the column or index are left alone and not recorded for undo.
/// </summary>
public sealed class TenantMigrator
{
    public const string Column = "tenant_id";
    private const string LockNotAvailable = "55P03";

    public async Task<TenantMigrationResult> MigrateAsync(PostgresTarget target, TenantMigrationOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new TenantMigrationOptions();
        ValidateTenant(options.DefaultTenant);
        await using var connection = await PostgresErrors.OpenAsync(target, cancellationToken);
        await RequireMetadataOnlyDefaultsAsync(connection, target, cancellationToken);
        var tables = await SelectTablesAsync(connection, options, target, cancellationToken);
        var previousRevision = await SchemaVersion.ReadAsync(connection, cancellationToken);
        await SetLockTimeoutAsync(connection, options.LockTimeout, cancellationToken);

        var changes = new List<TenantTableChange>();
        try
        {
            foreach (var table in tables)
                await MigrateTableAsync(connection, options, table, changes, cancellationToken);
        }
        catch (Exception ex) when (ex is PostgresException or NpgsqlException or DataOperationException)
        {
            // Leave the database as it was: take back what this run added, then report the original error.
            var partial = new TenantMigrationResult(changes, null, null);
            try
            {
                await UndoAsync(target, partial, options, CancellationToken.None);
            }
            catch (Exception undoError) when (undoError is PostgresException or NpgsqlException or DataOperationException)
            {
                throw new DataOperationException($"Tenant migration failed and its undo failed too ({undoError.Message}); still to undo: {partial.UndoDescription}. Original error: {Describe(ex, target)}", ex);
            }
            throw ex as DataOperationException ?? PostgresErrors.Translate(ex, target, "tenant migration");
        }

        var file = options.AlembicVersionsDirectory is null
            ? null
            : AlembicTenantRevision.Write(options.AlembicVersionsDirectory, previousRevision, options.Schema, tables.Select(t => t.Name).ToList(), options.DefaultTenant, options.LockTimeout);
        return new TenantMigrationResult(changes, file, file is null ? null : AlembicTenantRevision.Revision);
    }

    /// <summary>The tables a migration with <paramref name="options"/> gives a tenant (what its Alembic revision lists).</summary>
    public async Task<IReadOnlyList<string>> TablesAsync(PostgresTarget target, TenantMigrationOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new TenantMigrationOptions();
        await using var connection = await PostgresErrors.OpenAsync(target, cancellationToken);
        return (await SelectTablesAsync(connection, options, target, cancellationToken)).Select(table => table.Name).ToList();
    }

    /// <summary>Drops exactly what <paramref name="result"/> says was added (index first, then column), with the same lock discipline.</summary>
    public async Task UndoAsync(PostgresTarget target, TenantMigrationResult result, TenantMigrationOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new TenantMigrationOptions();
        await using var connection = await PostgresErrors.OpenAsync(target, cancellationToken);
        await SetLockTimeoutAsync(connection, options.LockTimeout, cancellationToken);
        var retry = LockRetry(options);
        foreach (var change in result.Changes.Reverse())
        {
            var table = $"{Sql.Quote(options.Schema)}.{Sql.Quote(change.Table)}";
            if (change.AddedIndex is not null)
                await retry.ExecuteAsync(async ct => await ExecuteAsync(connection, $"DROP INDEX CONCURRENTLY IF EXISTS {Sql.Quote(options.Schema)}.{Sql.Quote(change.AddedIndex)}", ct), cancellationToken);
            if (change.AddedColumn)
                await retry.ExecuteAsync(async ct => await ExecuteAsync(connection, $"ALTER TABLE {table} DROP COLUMN IF EXISTS {Column}", ct), cancellationToken);
        }
        if (result.AlembicFile is not null && File.Exists(result.AlembicFile)) File.Delete(result.AlembicFile);
    }

    /// <summary>Records each addition in <paramref name="changes"/> the moment it exists, so a failure half-way through a table is still undone.</summary>
    private static async Task MigrateTableAsync(NpgsqlConnection connection, TenantMigrationOptions options, TableInfo table, List<TenantTableChange> changes, CancellationToken cancellationToken)
    {
        var retry = LockRetry(options);
        var addedColumn = false;
        if (!await HasColumnAsync(connection, table, cancellationToken))
        {
            await retry.ExecuteAsync(async ct => await ExecuteAsync(connection,
                $"ALTER TABLE {table.Quoted} ADD COLUMN {Column} varchar(50) NOT NULL DEFAULT {Sql.Literal(options.DefaultTenant)}", ct), cancellationToken);
            addedColumn = true;
        }
        changes.Add(new TenantTableChange(table.Name, addedColumn, null));

        var index = IndexName(table.Name);
        var state = await IndexStateAsync(connection, table.Schema, index, cancellationToken);
        if (state != IndexState.Valid)
        {
            // An INVALID index is the leftover of an interrupted concurrent build: it costs on every write and
            // IF NOT EXISTS would keep it, so drop it and build again.
            if (state == IndexState.Invalid)
                await ExecuteAsync(connection, $"DROP INDEX CONCURRENTLY IF EXISTS {Sql.Quote(table.Schema)}.{Sql.Quote(index)}", cancellationToken);
            // Recorded before the build: a failed concurrent build can leave an INVALID index the undo must drop.
            changes[^1] = changes[^1] with { AddedIndex = index };
            await retry.ExecuteAsync(async ct =>
            {
                try
                {
                    await ExecuteAsync(connection, $"CREATE INDEX CONCURRENTLY {Sql.Quote(index)} ON {table.Quoted} ({Column})", ct);
                }
                catch (PostgresException)
                {
                    await ExecuteAsync(connection, $"DROP INDEX CONCURRENTLY IF EXISTS {Sql.Quote(table.Schema)}.{Sql.Quote(index)}", CancellationToken.None);
                    throw;
                }
            }, cancellationToken);
        }
    }

    /// <summary>
    /// <c>ix_&lt;table&gt;_tenant</c>; past PostgreSQL's 63-byte limit, a prefix plus a stable hash of the full name, so a
    /// second run (another process) finds the index the first one built.
    /// </summary>
    public static string IndexName(string table)
    {
        var name = $"ix_{table}_tenant";
        if (System.Text.Encoding.UTF8.GetByteCount(name) <= 63) return name;
        var hash = Convert.ToHexStringLower(System.IO.Hashing.XxHash32.Hash(System.Text.Encoding.UTF8.GetBytes(table)));
        return $"ix_{table[..Math.Min(table.Length, 40)]}_{hash}_tenant";
    }

    private static ResiliencePipeline LockRetry(TenantMigrationOptions options) => new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<PostgresException>(e => e.SqlState == LockNotAvailable),
            MaxRetryAttempts = Math.Max(0, options.MaxAttempts - 1),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = TimeSpan.FromMilliseconds(200),
        })
        .Build();

    private static async Task RequireMetadataOnlyDefaultsAsync(NpgsqlConnection connection, PostgresTarget target, CancellationToken cancellationToken)
    {
        var version = await DatabaseCatalog.ServerVersionNumberAsync(connection, cancellationToken);
        if (version < 110000)
            throw new DataOperationException($"PostgreSQL {version / 10000} on {target} rewrites the whole table for ADD COLUMN … DEFAULT: upgrade to 11+ first (TwisterLab needs 13+), or run the guide's migration in a maintenance window.");
    }

    private static async Task<List<TableInfo>> SelectTablesAsync(NpgsqlConnection connection, TenantMigrationOptions options, PostgresTarget target, CancellationToken cancellationToken)
    {
        var all = (await DatabaseCatalog.TablesAsync(connection, cancellationToken)).Where(t => t.Schema == options.Schema).ToList();
        var names = all.Select(t => t.Name).ToHashSet();
        var missing = (options.Tables ?? []).Where(n => !names.Contains(n)).ToList();
        if (missing.Count > 0)
            throw new DataOperationException($"Table(s) {string.Join(", ", missing)} not found in schema {options.Schema} of {target}: check --tables.");
        return all.Where(t => (options.Tables is null || options.Tables.Contains(t.Name)) && !options.ExcludeTables.Contains(t.Name)).ToList();
    }

    private static void ValidateTenant(string tenant)
    {
        if (string.IsNullOrWhiteSpace(tenant) || tenant.Length > 50)
            throw new DataOperationException($"Default tenant '{tenant}' is not valid: use 1 to 50 characters (the column is varchar(50)).");
    }

    private static async Task<bool> HasColumnAsync(NpgsqlConnection connection, TableInfo table, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT 1 FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2 AND NOT attisdropped", connection)
        { Parameters = { new() { Value = table.Quoted }, new() { Value = Column } } };
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private enum IndexState { Missing, Valid, Invalid }

    private static async Task<IndexState> IndexStateAsync(NpgsqlConnection connection, string schema, string index, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2", connection)
        { Parameters = { new() { Value = schema }, new() { Value = index } } };
        return await command.ExecuteScalarAsync(cancellationToken) switch
        {
            null => IndexState.Missing,
            true => IndexState.Valid,
            _ => IndexState.Invalid,
        };
    }

    private static async Task SetLockTimeoutAsync(NpgsqlConnection connection, TimeSpan timeout, CancellationToken cancellationToken) =>
        await ExecuteAsync(connection, $"SET lock_timeout = '{(int)timeout.TotalMilliseconds}ms'", cancellationToken);

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static string Describe(Exception ex, PostgresTarget target) =>
        ex is DataOperationException ? ex.Message : PostgresErrors.Translate(ex, target, "tenant migration").Message;
}
