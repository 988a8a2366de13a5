using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace TwisterLab.Cake.Data;

/// <summary>
/// Loads into a private staging schema with several connections at once, then publishes in one short transaction.
/// <list type="number">
/// <item>A <see cref="JobGraph"/> per table (largest first): CREATE TABLE + binary COPY FREEZE in one transaction; then,
/// each on its own connection and at the same time, every index build and the checksum comparison; then the primary
/// key and unique constraints attached to their indexes and the identity column; then, once both tables of a foreign
/// key are that far, the foreign key (added NOT VALID, then validated while other tables carry on).</item>
/// <item>One transaction: drop the tables being replaced (drop-existing) and <c>ALTER TABLE … SET SCHEMA</c> every
/// staged table into the target schema; indexes, constraints and identity sequences move with them.</item>
/// </list>
/// The target schema is touched only by the last step, which is atomic; any failure before it drops the staging
/// schema, so PostgreSQL is left exactly as it was.
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
            ChecksumMethod? verify = options.Verify ? PostgresTableChecksum.Choose(control) : null;
            Execute(control, $"CREATE SCHEMA {Sql.Quote(stage)}");
            try
            {
                var phase = Stopwatch.StartNew();
                var results = new ConcurrentDictionary<string, TableResult>();
                var graph = new JobGraph();
                var finished = new Dictionary<string, JobGraph.Job>();
                foreach (var table in tables)
                {
                    var plan = plans[table.Name];
                    var size = sizes[table.Name];
                    var load = graph.Add($"load {table.Name}", size, (connection, ct) => results[table.Name] = Load(sqlitePath, connection, stage, table, plan, ct, options.Progress));
                    var afterLoad = plan.Indexes.Select(index => graph.Add($"index {index.Name}", size, (connection, _) => Execute(connection, index.Create)).After(load)).ToList();
                    if (verify is { } method)
                        afterLoad.Add(graph.Add($"verify {table.Name}", size, (connection, _) => results[table.Name].Target = Verify(connection, stage, table, results[table.Name].Checksum, method)).After(load));
                    finished[table.Name] = graph.Add($"constraints {table.Name}", size, (connection, _) =>
                    {
                        foreach (var attach in plan.Indexes.Select(i => i.Attach).OfType<string>()) Execute(connection, attach);
                        if (PostgresDdl.Identity(table, stage, results[table.Name].MaxKey) is { } identity) Execute(connection, identity);
                    }).After(afterLoad.Count > 0 ? afterLoad : [load]);
                }
                // ADD … NOT VALID locks both tables against each other: one at a time, or two foreign keys between the same
                // tables in opposite directions could deadlock. VALIDATE's locks do not conflict across tables.
                var addingForeignKey = new object();
                foreach (var table in tables)
                foreach (var fk in plans[table.Name].ForeignKeys)
                    graph.Add($"foreign key {table.Name} -> {fk.ReferencedTable}", sizes[table.Name], (connection, _) =>
                    {
                        lock (addingForeignKey) Execute(connection, fk.Add);
                        // Validation looks for orphans with an anti-join. Its default hash join probed a 1M-key table 2M times
                        // in random order (1.0 s of CPU on the benchmark); when both sides are indexed, a merge of two
                        // index-only scans reads them in order (0.3 s) — the rows were loaded FREEZE, so all-visible.
                        Execute(connection, fk.ChildIndexed ? $"SET enable_hashjoin = off; {fk.Validate}; RESET enable_hashjoin" : fk.Validate);
                    }).After(finished[table.Name], finished[fk.ReferencedTable]);
                graph.Run(options.Parallelism, () => SqliteToPostgresMigrator.Open(target), cancellationToken);
                phases["load_index_verify_keys"] = phase.Elapsed.TotalSeconds;
                foreach (var (job, seconds) in graph.Seconds) phases[job] = seconds;

                phase.Restart();
                Publish(control, stage, tables, replaced, options.Schema);
                phases["publish"] = phase.Elapsed.TotalSeconds;
                return new SqliteMigrationReport(tables.Select(t => new SqliteTableResult(t.Name, results[t.Name].Checksum.Rows, results[t.Name].Checksum.Value, results[t.Name].Target)).ToList(),
                    warnings, tables.Select(t => t.Name).ToList(), started.Elapsed)
                {
                    PhaseSeconds = new Dictionary<string, double>(phases),
                    Schema = options.Schema,
                    Verification = verify?.ToString(),
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

    private sealed record TablePlan(string Create, IReadOnlyList<IndexBuild> Indexes, IReadOnlyList<ForeignKeyDdl> ForeignKeys);

    private sealed class TableResult(RowChecksum checksum, long? maxKey)
    {
        public RowChecksum Checksum { get; } = checksum;
        public long? MaxKey { get; } = maxKey;
        public string? Target { get; set; }
    }

    private static TableResult Load(string sqlitePath, NpgsqlConnection connection, string stage, SqliteTable table, TablePlan plan, CancellationToken cancellationToken, Progress.ProgressReporter? progress)
    {
        using var sqlite = SqliteSchemaReader.Open(sqlitePath);
        // CREATE and COPY in one transaction: COPY FREEZE is allowed and, at wal_level=minimal, the data skips the WAL.
        using var transaction = connection.BeginTransaction();
        Execute(connection, plan.Create);
        RowChecksum checksum;
        long? maxKey;
        using (var sink = new PostgresRawCopySink(connection, table, stage))
            (checksum, maxKey) = SqliteToPostgresMigrator.LoadTable(sqlite, table, sink, cancellationToken, progress);
        transaction.Commit();
        return new TableResult(checksum, maxKey);
    }

    private static string Verify(NpgsqlConnection connection, string stage, SqliteTable table, RowChecksum expected, ChecksumMethod method)
    {
        var actual = PostgresTableChecksum.Compute(connection, table, stage, method);
        if (actual != expected.Value)
            throw new DataOperationException($"Verification failed for {table.Name}: PostgreSQL holds {actual.Split(':')[0]} rows / checksum {actual.Split(':')[1]}, SQLite had {expected.Rows} / {expected.Value.Split(':')[1]}; nothing was migrated.");
        return actual;
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
