using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace TwisterLab.Cake.Data;

/// <summary>
/// SQLite → PostgreSQL in native C#, the guide's "Migrate from SQLite to PostgreSQL": bare tables, binary COPY of the
/// data, then keys, indexes, foreign keys and identity columns, and every table's row count and content checksum
/// compared with what PostgreSQL stored (<see cref="RowChecksum"/>; see <see cref="StagedPostgresLoad"/> for how this
/// stays all-or-nothing while running in parallel).
/// Any failure — unreadable file, a value that does not fit its column, a duplicate key, an orphan foreign key, a
/// checksum mismatch — leaves PostgreSQL exactly as it was. Existing tables are refused unless
/// <see cref="SqliteMigrationOptions.DropExisting"/>. With only <see cref="SqliteMigrationOptions.SqlOutPath"/> it writes the
/// guide's sqlite_export.sql instead.
/// </summary>
public sealed class SqliteToPostgresMigrator
{
    private const int MaxReportedViolations = 50;

    /// <param name="target">PostgreSQL to load into, or null to only write <see cref="SqliteMigrationOptions.SqlOutPath"/>.</param>
    public Task<SqliteMigrationReport> MigrateAsync(string sqlitePath, PostgresTarget? target, SqliteMigrationOptions? options = null, CancellationToken cancellationToken = default) =>
        Task.Run(() => Migrate(sqlitePath, target, options ?? new SqliteMigrationOptions(), cancellationToken), cancellationToken);

    private static SqliteMigrationReport Migrate(string sqlitePath, PostgresTarget? target, SqliteMigrationOptions options, CancellationToken cancellationToken)
    {
        if (target is null) return Export(sqlitePath, options, cancellationToken);
        // The copy of the file and the SQL export each read SQLite on their own thread while the load runs, instead of
        // after it; a failed load removes them, so they exist only beside a migration that happened.
        var copy = Timed(options.CopyPath, path => SqliteFileCopy.Copy(sqlitePath, path, cancellationToken));
        var export = Timed(options.SqlOutPath, _ => Export(sqlitePath, options, cancellationToken));
        SqliteMigrationReport report;
        try
        {
            report = StagedPostgresLoad.Run(sqlitePath, target, options, cancellationToken);
        }
        catch
        {
            foreach (var (side, path) in new (Task?, string?)[] { (copy, options.CopyPath), (export, options.SqlOutPath) })
            {
                try { side?.Wait(CancellationToken.None); } catch (AggregateException) { }
                if (path is not null && File.Exists(path)) File.Delete(path);
                if (path is not null && File.Exists(path + ".sha256")) File.Delete(path + ".sha256");
            }
            throw;
        }
        var phases = new Dictionary<string, double>(report.PhaseSeconds);
        var copied = copy is null ? null : Await(copy, phases, "copy sqlite file");
        if (export is not null) Await(export, phases, "sql export");
        return report with { PhaseSeconds = phases, Copy = copied };
    }

    private static Task<(T Result, double Seconds)>? Timed<T>(string? path, Func<string, T> work) => path is null ? null : Task.Run(() =>
    {
        var watch = Stopwatch.StartNew();
        var result = work(path);
        return (result, watch.Elapsed.TotalSeconds);
    });

    private static T Await<T>(Task<(T Result, double Seconds)> side, Dictionary<string, double> phases, string name)
    {
        var (result, seconds) = side.ConfigureAwait(false).GetAwaiter().GetResult();
        phases[name] = seconds;
        return result;
    }

    /// <summary>The undo of a successful migration: drops the tables it created (one statement, so their foreign keys do not matter).</summary>
    public async Task UndoAsync(PostgresTarget target, SqliteMigrationReport report, CancellationToken cancellationToken = default)
    {
        if (report.CreatedTables.Count == 0) return;
        await using var connection = await PostgresErrors.OpenAsync(target, cancellationToken);
        await using var command = new NpgsqlCommand($"DROP TABLE IF EXISTS {string.Join(", ", report.CreatedTables.Select(t => PostgresDdl.Name(report.Schema, t)))}", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The SQL export (<c>--sql-out</c>): one sequential pass writing psql-importable text, renamed into place at the end.</summary>
    private static SqliteMigrationReport Export(string sqlitePath, SqliteMigrationOptions options, CancellationToken cancellationToken)
    {
        if (options.SqlOutPath is null)
            throw new DataOperationException("Nothing to migrate into: pass a PostgreSQL target (--database-url) or --sql-out=file.");
        var started = Stopwatch.StartNew();
        using var sqlite = SqliteSchemaReader.Open(sqlitePath);
        var tables = SelectTables(SqliteSchemaReader.Read(sqlite, sqlitePath), options, sqlitePath);
        var warnings = new List<string>();
        using var export = new SqlExport(options.SqlOutPath);
        try
        {
            foreach (var table in tables) export.Statement(PostgresDdl.CreateTable(table, null, warnings));
            var results = new List<SqliteTableResult>();
            var maxKeys = new Dictionary<string, long?>();
            foreach (var table in tables)
            {
                using var sink = new SqlExportSink(export.Writer, table);
                var (checksum, maxKey) = LoadTable(sqlite, table, sink, cancellationToken, options.Progress);
                maxKeys[table.Name] = maxKey;
                results.Add(new SqliteTableResult(table.Name, checksum.Rows, checksum.Value, null));
            }
            var byName = tables.ToDictionary(t => t.Name);
            foreach (var statement in tables.SelectMany(t => PostgresDdl.KeysAndIndexes(t, null, warnings)).SelectMany(i => new[] { i.Create, i.Attach }).OfType<string>()
                         .Concat(tables.SelectMany(t => PostgresDdl.ForeignKeys(t, null, byName, warnings)).Select(f => f.Direct))
                         .Concat(tables.Select(t => PostgresDdl.Identity(t, null, maxKeys[t.Name])).OfType<string>()))
                export.Statement(statement);
            export.Commit();
            return new SqliteMigrationReport(results, warnings, [], started.Elapsed);
        }
        catch (SqliteException ex)
        {
            throw SqliteSchemaReader.NotReadable(sqlitePath, ex);
        }
    }

    internal static NpgsqlConnection Open(PostgresTarget target)
    {
        var connection = PostgresErrors.OpenAsync(target).GetAwaiter().GetResult();
        // Index builds sort in memory; commits need not wait for the WAL flush (a crash before publishing loses only the
        // staging schema). No parallel workers and no JIT: the migration already runs a job per core, and JIT compiling
        // the checksum and validation queries cost more than it saved.
        using var settings = new NpgsqlCommand("SET maintenance_work_mem = '256MB'; SET synchronous_commit = off; SET max_parallel_maintenance_workers = 0; SET max_parallel_workers_per_gather = 0; SET jit = off", connection);
        settings.ExecuteNonQuery();
        return connection;
    }

    internal static List<SqliteTable> SelectTables(IReadOnlyList<SqliteTable> all, SqliteMigrationOptions options, string path)
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

    /// <summary>
    /// Reads one table from SQLite, converts every value, adds it to the table's checksum and hands it to
    /// <paramref name="sink"/> (PostgreSQL COPY or the SQL export), all on this thread: with the raw reader and the
    /// raw COPY encoder each value is copied once, from SQLite's page into the COPY buffer.
    /// </summary>
    internal static (RowChecksum Checksum, long? MaxKey) LoadTable(SqliteConnection sqlite, SqliteTable table, IRowSink sink, CancellationToken cancellationToken, Progress.ProgressReporter? progress = null)
    {
        using var meter = progress?.Start($"{(sink is SqlExportSink ? "export" : "import")} of table {table.Name}", Progress.ProgressUnit.Rows);
        var checksum = new RowChecksum();
        var violations = new List<AffinityViolation>();
        long violationCount = 0;
        long? maxKey = null;
        var keyOrdinal = table.HasGeneratedKey ? table.Columns.ToList().FindIndex(c => c.Name == table.PrimaryKey[0]) : -1;
        var rowIdOrdinal = table.WithoutRowId ? -1 : table.Columns.Count;
        var types = table.Columns.Select(c => c.Target).ToArray();

        using var reader = new SqliteRowReader(sqlite,
            $"SELECT {string.Join(", ", table.Columns.Select(c => SqliteSchemaReader.QuoteSqlite(c.Name)))}{(table.WithoutRowId ? "" : ", _rowid_")} FROM {SqliteSchemaReader.QuoteSqlite(table.Name)}");
        while (reader.Step())
        {
            if ((checksum.Rows & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                meter?.Set(checksum.Rows); // every 65,536 rows: free beside the row's own work
            }
            sink.StartRow();
            for (var i = 0; i < types.Length; i++)
            {
                if (!SqliteValueConverter.TryConvert(reader, i, types[i], out var value, out var bytes, out var problem))
                {
                    if (violationCount++ < MaxReportedViolations)
                        violations.Add(new AffinityViolation(table.Name, table.Columns[i].Name, rowIdOrdinal >= 0 ? $"rowid {reader.Int64(rowIdOrdinal)}" : $"row {checksum.Rows + 1}", problem!));
                    value = CellValue.Null;
                }
                sink.Write(value, bytes);
                checksum.Add(value, bytes);
                if (i == keyOrdinal && value.Kind == CellKind.Integer && (maxKey is null || value.Integer > maxKey)) maxKey = value.Integer;
            }
            checksum.EndRow();
        }
        // Violations are collected for the whole table first so the report lists them all, then nothing is kept.
        if (violationCount > 0) throw new SqliteAffinityException(violations, violationCount);
        var acknowledged = sink.Complete();
        if (acknowledged >= 0 && acknowledged != checksum.Rows)
            throw new DataOperationException($"PostgreSQL acknowledged {acknowledged} rows of {table.Name}, {checksum.Rows} were sent: retry; nothing was migrated.");
        return (checksum, maxKey);
    }
}
