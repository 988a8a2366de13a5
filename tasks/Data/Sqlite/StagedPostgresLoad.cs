using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace TwisterLab.Cake.Data;

/// <summary>
/// Loads into a private staging schema with several connections at once, then publishes in one short transaction.
/// <list type="number">
/// <item>Per table, in parallel (largest first): CREATE TABLE + binary COPY FREEZE in one transaction, then primary
/// key, unique constraints and indexes, then the read-back checksum against what SQLite held.</item>
/// <item>Foreign keys (they need every parent's key) and identity columns, one table at a time.</item>
/// <item>One transaction: drop the tables being replaced (drop-existing) and <c>ALTER TABLE … SET SCHEMA</c> every
/// staged table into the target schema; indexes, constraints and identity sequences move with them.</item>
/// </list>
/// The target schema is touched only by the last step, which is atomic; any failure before it drops the staging
/// schema, so PostgreSQL is left exactly as it was. Parallel tables use the cores a single transaction could not.
/// </summary>
internal static class StagedPostgresLoad
{
    public static SqliteMigrationReport Run(string sqlitePath, PostgresTarget target, SqliteMigrationOptions options, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        List<SqliteTable> tables;
        Dictionary<string, long> sizes;
        using (var sqlite = SqliteSchemaReader.Open(sqlitePath))
        {
            tables = SqliteToPostgresMigrator.SelectTables(SqliteSchemaReader.Read(sqlite, sqlitePath), options, sqlitePath);
            sizes = tables.ToDictionary(t => t.Name, t => ApproximateRows(sqlite, t));
        }
        var stage = $"twl_stage_{Guid.NewGuid():N}"[..20];
        var warnings = new List<string>();
        var byName = tables.ToDictionary(t => t.Name);
        var plans = tables.ToDictionary(t => t.Name, t => new TablePlan(
            PostgresDdl.CreateTable(t, stage, warnings),
            PostgresDdl.KeysAndIndexes(t, stage, warnings).ToList(),
            PostgresDdl.ForeignKeys(t, stage, byName, warnings).ToList()));
        var phases = new ConcurrentDictionary<string, double>();

        try
        {
            using var control = SqliteToPostgresMigrator.Open(target);
            var replaced = ExistingTables(control, tables, options, target);
            var checksumMethod = PostgresTableChecksum.Choose(control);
            Execute(control, $"CREATE SCHEMA {Sql.Quote(stage)}");
            try
            {
                var phase = Stopwatch.StartNew();
                var results = new ConcurrentDictionary<string, (SqliteTableResult Result, long? MaxKey)>();
                Parallel(tables.OrderByDescending(t => sizes[t.Name]), options, cancellationToken, (table, ct) =>
                    results[table.Name] = LoadIndexAndVerify(sqlitePath, target, stage, table, plans[table.Name], options.Verify ? checksumMethod : null, ct));
                phases["load_index_verify"] = phase.Elapsed.TotalSeconds;

                // One at a time: an ALTER TABLE … ADD FOREIGN KEY locks both tables, and two of them running at once
                // on tables that reference each other could deadlock.
                phase.Restart();
                foreach (var table in tables)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    foreach (var statement in plans[table.Name].ForeignKeys) Execute(control, statement);
                    if (PostgresDdl.Identity(table, stage, results[table.Name].MaxKey) is { } identity) Execute(control, identity);
                }
                phases["foreign_keys"] = phase.Elapsed.TotalSeconds;

                phase.Restart();
                Publish(control, stage, tables, replaced, options.Schema);
                phases["publish"] = phase.Elapsed.TotalSeconds;
                return new SqliteMigrationReport(tables.Select(t => results[t.Name].Result).ToList(), warnings, tables.Select(t => t.Name).ToList(), started.Elapsed)
                {
                    PhaseSeconds = new Dictionary<string, double>(phases),
                    Schema = options.Schema,
                };
            }
            finally
            {
                DropStage(target, stage);
            }
        }
        catch (SqliteException ex)
        {
            throw SqliteSchemaReader.NotReadable(sqlitePath, ex);
        }
        catch (PostgresException ex)
        {
            throw PostgresErrors.Translate(ex, target, "SQLite migration");
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Translate(ex, target, "SQLite migration");
        }
    }

    private sealed record TablePlan(string Create, IReadOnlyList<string> KeysAndIndexes, IReadOnlyList<string> ForeignKeys);

    private static (SqliteTableResult, long?) LoadIndexAndVerify(string sqlitePath, PostgresTarget target, string stage, SqliteTable table, TablePlan plan, ChecksumMethod? verify, CancellationToken cancellationToken)
    {
        using var sqlite = SqliteSchemaReader.Open(sqlitePath);
        using var connection = SqliteToPostgresMigrator.Open(target);
        RowChecksum checksum;
        long? maxKey;
        // CREATE and COPY in one transaction: COPY FREEZE is allowed and, at wal_level=minimal, the data skips the WAL.
        using (var transaction = connection.BeginTransaction())
        {
            Execute(connection, plan.Create);
            using var sink = new PostgresRawCopySink(connection, table, stage);
            (checksum, maxKey) = SqliteToPostgresMigrator.LoadTable(sqlite, table, sink, cancellationToken);
            transaction.Commit();
        }
        foreach (var statement in plan.KeysAndIndexes) Execute(connection, statement);
        string? actual = null;
        if (verify is { } method)
        {
            actual = PostgresTableChecksum.Compute(connection, table, stage, method);
            if (actual != checksum.Value)
                throw new DataOperationException($"Verification failed for {table.Name}: PostgreSQL holds {actual.Split(':')[0]} rows / checksum {actual[^8..]}, SQLite had {checksum.Rows} / {checksum.Value[^8..]}; nothing was migrated.");
        }
        return (new SqliteTableResult(table.Name, checksum.Rows, checksum.Value, actual), maxKey);
    }

    /// <summary>Tables of the target schema this migration would replace; refused unless drop-existing.</summary>
    private static List<string> ExistingTables(NpgsqlConnection connection, List<SqliteTable> tables, SqliteMigrationOptions options, PostgresTarget target)
    {
        var existing = tables.Where(t =>
        {
            using var probe = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection) { Parameters = { new() { Value = PostgresDdl.Name(options.Schema, t.Name) } } };
            return (bool)probe.ExecuteScalar()!;
        }).Select(t => t.Name).ToList();
        if (existing.Count > 0 && !options.DropExisting)
            throw new DataOperationException($"Table(s) {string.Join(", ", existing)} already exist in {target}: pass drop-existing to replace them (after a verified backup), or migrate into an empty database.");
        return existing;
    }

    private static void Publish(NpgsqlConnection connection, string stage, List<SqliteTable> tables, List<string> replaced, string schema)
    {
        using var transaction = connection.BeginTransaction();
        // No CASCADE (pgloader's "include drop" cascades): objects elsewhere that depend on a replaced table make
        // this fail loudly, and roll back, instead of silently vanishing.
        if (replaced.Count > 0) Execute(connection, $"DROP TABLE {string.Join(", ", replaced.Select(t => PostgresDdl.Name(schema, t)))}");
        foreach (var table in tables) Execute(connection, $"ALTER TABLE {PostgresDdl.Name(stage, table.Name)} SET SCHEMA {Sql.Quote(schema)}");
        transaction.Commit();
    }

    private static void DropStage(PostgresTarget target, string stage)
    {
        try
        {
            using var connection = SqliteToPostgresMigrator.Open(target);
            Execute(connection, $"DROP SCHEMA IF EXISTS {Sql.Quote(stage)} CASCADE");
        }
        catch (Exception ex) when (ex is NpgsqlException or DataOperationException)
        {
            // The original error matters more; a leftover staging schema is harmless and named twl_stage_*.
        }
    }

    /// <summary>Runs <paramref name="work"/> per table on up to <see cref="SqliteMigrationOptions.Parallelism"/> threads; the first failure cancels the rest and is rethrown as is.</summary>
    private static void Parallel(IEnumerable<SqliteTable> tables, SqliteMigrationOptions options, CancellationToken cancellationToken, Action<SqliteTable, CancellationToken> work)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var errors = new ConcurrentQueue<Exception>();
        var queue = new ConcurrentQueue<SqliteTable>(tables);
        var workers = Enumerable.Range(0, Math.Max(1, options.Parallelism)).Select(_ => new Thread(() =>
        {
            while (!failed.IsCancellationRequested && queue.TryDequeue(out var table))
            {
                try
                {
                    work(table, failed.Token);
                }
                catch (Exception ex)
                {
                    errors.Enqueue(ex);
                    failed.Cancel();
                }
            }
        }) { IsBackground = true }).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        cancellationToken.ThrowIfCancellationRequested();
        var first = errors.FirstOrDefault(e => e is not OperationCanceledException) ?? errors.FirstOrDefault();
        if (first is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
    }

    private static long ApproximateRows(SqliteConnection sqlite, SqliteTable table)
    {
        if (table.WithoutRowId) return 0;
        using var command = sqlite.CreateCommand();
        command.CommandText = $"SELECT coalesce(max(_rowid_), 0) FROM {SqliteSchemaReader.QuoteSqlite(table.Name)}";
        return (long)command.ExecuteScalar()!;
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        command.ExecuteNonQuery();
    }
}
