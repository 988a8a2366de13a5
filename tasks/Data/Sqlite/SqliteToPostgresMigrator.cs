using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace TwisterLab.Cake.Data;

/// <summary>
/// SQLite → PostgreSQL in native C#, the guide's "Migrate from SQLite to PostgreSQL". Everything happens in one
/// PostgreSQL transaction: bare tables, binary COPY of the data, then keys, indexes, foreign keys and identity
/// columns, then a read-back of every table compared by row count and checksum. Any failure — unreadable file,
/// a value that does not fit its column, a duplicate key, an orphan foreign key, a checksum mismatch — rolls it all
/// back, so PostgreSQL is left exactly as it was. Existing tables are refused unless <see cref="SqliteMigrationOptions.DropExisting"/>.
/// </summary>
public sealed class SqliteToPostgresMigrator
{
    private const int MaxReportedViolations = 50;

    /// <param name="target">PostgreSQL to load into, or null to only write <see cref="SqliteMigrationOptions.SqlOutPath"/>.</param>
    public Task<SqliteMigrationReport> MigrateAsync(string sqlitePath, PostgresTarget? target, SqliteMigrationOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Migrate(sqlitePath, target, options ?? new SqliteMigrationOptions(), cancellationToken), cancellationToken);

    /// <summary>The undo of a successful migration: drops the tables it created (one statement, so their foreign keys do not matter).</summary>
    public async Task UndoAsync(PostgresTarget target, SqliteMigrationReport report, CancellationToken cancellationToken = default)
    {
        if (report.CreatedTables.Count == 0) return;
        await using var connection = await PostgresErrors.OpenAsync(target, cancellationToken);
        await using var command = new NpgsqlCommand($"DROP TABLE IF EXISTS {string.Join(", ", report.CreatedTables.Select(Sql.Quote))}", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static SqliteMigrationReport Migrate(string sqlitePath, PostgresTarget? target, SqliteMigrationOptions options, CancellationToken cancellationToken)
    {
        if (target is null && options.SqlOutPath is null)
            throw new DataOperationException("Nothing to migrate into: pass a PostgreSQL target (--database-url) or --sql-out=file.");
        var started = Stopwatch.StartNew();
        using var sqlite = SqliteSchemaReader.Open(sqlitePath);
        var tables = SelectTables(SqliteSchemaReader.Read(sqlite, sqlitePath), options, sqlitePath);
        var warnings = new List<string>();

        using var export = options.SqlOutPath is null ? null : new SqlExport(options.SqlOutPath);
        using var postgres = target is null ? null : Open(target);
        using var transaction = postgres?.BeginTransaction();
        try
        {
            if (postgres is not null) PrepareTargetTables(postgres, tables, options, target!);
            foreach (var table in tables) Execute(postgres, export, PostgresDdl.CreateTable(table, warnings));

            var phases = new Dictionary<string, double> { ["schema"] = started.Elapsed.TotalSeconds };
            var phase = Stopwatch.StartNew();
            var results = new List<SqliteTableResult>();
            var maxKeys = new Dictionary<string, long?>();
            foreach (var table in tables)
            {
                var (checksum, maxKey) = LoadTable(sqlite, sqlitePath, table, postgres, export, cancellationToken);
                maxKeys[table.Name] = maxKey;
                results.Add(new SqliteTableResult(table.Name, checksum.Rows, checksum.Value, null));
            }

            phases["load"] = phase.Elapsed.TotalSeconds;
            phase.Restart();
            var byName = tables.ToDictionary(t => t.Name);
            var constraints = tables.SelectMany(t => PostgresDdl.KeysAndIndexes(t, warnings))
                .Concat(tables.SelectMany(t => PostgresDdl.ForeignKeys(t, byName, warnings)))
                .Concat(tables.Select(t => PostgresDdl.Identity(t, maxKeys[t.Name])).OfType<string>())
                .ToList();
            foreach (var statement in constraints) Execute(postgres, export, statement, target);

            phases["keys_and_indexes"] = phase.Elapsed.TotalSeconds;
            phase.Restart();
            if (postgres is not null && options.Verify) results = Verify(postgres, tables, results);
            phases["verify"] = phase.Elapsed.TotalSeconds;
            phase.Restart();
            transaction?.Commit();
            export?.Commit();
            phases["commit"] = phase.Elapsed.TotalSeconds;
            return new SqliteMigrationReport(results, warnings, postgres is null ? [] : tables.Select(t => t.Name).ToList(), started.Elapsed) { PhaseSeconds = phases };
        }
        catch (SqliteException ex)
        {
            throw SqliteSchemaReader.NotReadable(sqlitePath, ex);
        }
        catch (PostgresException ex)
        {
            throw PostgresErrors.Translate(ex, target!, "SQLite migration");
        }
        catch (NpgsqlException ex)
        {
            throw PostgresErrors.Translate(ex, target!, "SQLite migration");
        }
    }

    private static NpgsqlConnection Open(PostgresTarget target)
    {
        var connection = PostgresErrors.OpenAsync(target).GetAwaiter().GetResult();
        using var settings = new NpgsqlCommand("SET maintenance_work_mem = '256MB'; SET synchronous_commit = off", connection);
        settings.ExecuteNonQuery();
        return connection;
    }

    private static List<SqliteTable> SelectTables(IReadOnlyList<SqliteTable> all, SqliteMigrationOptions options, string path)
    {
        var names = all.Select(t => t.Name).ToHashSet();
        var missing = (options.Tables ?? []).Concat(options.ExcludeTables).Where(n => !names.Contains(n)).ToList();
        if (missing.Count > 0)
            throw new DataOperationException($"Table(s) {string.Join(", ", missing)} not found in {path} (it has {string.Join(", ", names.Take(10))}): check --tables/--exclude.");
        var selected = all.Where(t => (options.Tables is null || options.Tables.Contains(t.Name)) && !options.ExcludeTables.Contains(t.Name)).ToList();
        if (selected.Count == 0)
            throw new DataOperationException($"{path} has no tables to migrate: check the file or --tables.");
        return selected;
    }

    private static void PrepareTargetTables(NpgsqlConnection connection, List<SqliteTable> tables, SqliteMigrationOptions options, PostgresTarget target)
    {
        var existing = tables.Where(t =>
        {
            using var probe = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection) { Parameters = { new() { Value = Sql.Quote(t.Name) } } };
            return (bool)probe.ExecuteScalar()!;
        }).Select(t => t.Name).ToList();
        if (existing.Count == 0) return;
        if (!options.DropExisting)
            throw new DataOperationException($"Table(s) {string.Join(", ", existing)} already exist in {target}: pass drop-existing to replace them (after a verified backup), or migrate into an empty database.");
        // No CASCADE (pgloader's "include drop" cascades): dependent objects elsewhere make this fail loudly instead of vanishing.
        using var drop = new NpgsqlCommand($"DROP TABLE {string.Join(", ", existing.Select(Sql.Quote))}", connection);
        drop.ExecuteNonQuery();
    }

    private static (RowChecksum Checksum, long? MaxKey) LoadTable(SqliteConnection sqlite, string path, SqliteTable table, NpgsqlConnection? postgres, SqlExport? export, CancellationToken cancellationToken)
    {
        var checksum = new RowChecksum();
        var violations = new List<AffinityViolation>();
        long violationCount = 0;
        long? maxKey = null;
        var keyOrdinal = table.HasGeneratedKey ? table.Columns.ToList().FindIndex(c => c.Name == table.PrimaryKey[0]) : -1;
        var rowIdOrdinal = table.WithoutRowId ? -1 : table.Columns.Count;

        using var command = sqlite.CreateCommand();
        command.CommandText = $"SELECT {string.Join(", ", table.Columns.Select(c => SqliteSchemaReader.QuoteSqlite(c.Name)))}{(table.WithoutRowId ? "" : ", _rowid_")} FROM {SqliteSchemaReader.QuoteSqlite(table.Name)}";
        using var reader = command.ExecuteReader();
        var sinks = new List<IRowSink>();
        if (postgres is not null) sinks.Add(new PostgresCopySink(postgres, table));
        if (export is not null) sinks.Add(new SqlExportSink(export.Writer, table));
        using var sink = sinks.Count == 1 ? sinks[0] : new TeeSink(sinks);

        var columnCount = table.Columns.Count;
        // SQLite reading, conversion and hashing on this thread; COPY encoding and the socket on the writer's:
        // the two halves overlap instead of taking turns.
        using var pipeline = new RowPipeline(sink, columnCount);
        try
        {
            while (reader.Read())
            {
                if ((checksum.Rows & 0xFFFF) == 0) cancellationToken.ThrowIfCancellationRequested();
                var row = pipeline.NextRow();
                for (var i = 0; i < columnCount; i++)
                {
                    if (!SqliteValueConverter.TryConvert(reader, i, table.Columns[i].Target, out var value, out var problem))
                    {
                        if (violationCount++ < MaxReportedViolations)
                            violations.Add(new AffinityViolation(table.Name, table.Columns[i].Name, rowIdOrdinal >= 0 ? $"rowid {reader.GetInt64(rowIdOrdinal)}" : $"row {checksum.Rows + 1}", problem!));
                        value = CellValue.Null;
                    }
                    row[i] = value;
                    checksum.Add(value);
                    if (i == keyOrdinal && value.Kind == CellKind.Integer && (maxKey is null || value.Integer > maxKey)) maxKey = value.Integer;
                }
                checksum.EndRow();
            }
            pipeline.Finish();
        }
        catch (OperationCanceledException) when (pipeline.WriterError is not null)
        {
            pipeline.ThrowWriterError();
        }
        // Violations are collected for the whole table first so the report lists them all, then nothing is kept.
        if (violationCount > 0) throw new SqliteAffinityException(violations, violationCount);
        var acknowledged = sink.Complete();
        if (acknowledged >= 0 && acknowledged != checksum.Rows)
            throw new DataOperationException($"PostgreSQL acknowledged {acknowledged} rows of {table.Name}, {checksum.Rows} were sent: retry; nothing was migrated.");
        return (checksum, maxKey);
    }

    private static List<SqliteTableResult> Verify(NpgsqlConnection connection, List<SqliteTable> tables, List<SqliteTableResult> loaded)
    {
        var verified = new List<SqliteTableResult>();
        foreach (var (table, result) in tables.Zip(loaded))
        {
            var actual = PostgresTableChecksum.Compute(connection, table);
            if (actual != result.SourceChecksum)
                throw new DataOperationException($"Verification failed for {table.Name}: PostgreSQL holds {actual.Split(':')[0]} rows / checksum {actual[^8..]}, SQLite had {result.SourceChecksum.Split(':')[0]} / {result.SourceChecksum[^8..]}; nothing was migrated.");
            verified.Add(result with { TargetChecksum = actual });
        }
        return verified;
    }

    private static void Execute(NpgsqlConnection? connection, SqlExport? export, string sql, PostgresTarget? target = null)
    {
        export?.Statement(sql);
        if (connection is null) return;
        using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        command.ExecuteNonQuery();
    }
}
