using Npgsql;
using TwisterLab.Cake.Data;

namespace TwisterLab.Data.Tests;

public sealed class SqliteMigrationTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("twl-sqlite-").FullName;
    private readonly SqliteToPostgresMigrator _migrator = new();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Migrates_types_keys_and_indexes_and_verifies_checksums()
    {
        var file = SqliteFiles.Create(_folder, SqliteFiles.Sample);
        var db = await postgres.CreateDatabaseAsync("mig");

        var report = await _migrator.MigrateAsync(file, db);

        Assert.Equal(["agents", "tickets", "User", "events"], report.Tables.Select(t => t.Table));
        Assert.All(report.Tables, t => Assert.Equal(t.SourceChecksum, t.TargetChecksum));
        Assert.Equal(3 + 3 + 3 + 3, report.TotalRows);
        Assert.Equal("bigint,character varying,boolean,timestamp without time zone,double precision,numeric".Replace("character varying", "text"),
            await PostgresFixture.ScalarAsync<string>(db, "SELECT string_agg(data_type, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'agents'"));
        // Doubles are bit-exact, including the smallest subnormal and 1e308.
        Assert.Equal(5e-324, await PostgresFixture.ScalarAsync<double>(db, "SELECT score FROM agents WHERE id = 4"));
        Assert.Equal(0.30000000000000004, await PostgresFixture.ScalarAsync<double>(db, "SELECT ts FROM events WHERE kind = 'k' AND ts > 1 IS NOT TRUE AND ts IS NOT NULL"));
        // Dates: text with offset → UTC, julian day, unix seconds (expected values are what sqlite3 datetime() prints).
        Assert.Equal(new DateTime(2025, 12, 10, 6, 30, 0), await PostgresFixture.ScalarAsync<DateTime>(db, "SELECT created_at FROM agents WHERE id = 4"));
        Assert.Equal(new DateTime(2023, 2, 25, 0, 0, 0), await PostgresFixture.ScalarAsync<DateTime>(db, "SELECT opened_at FROM tickets WHERE id = 2"));
        Assert.Equal(new DateTime(2024, 12, 10, 8, 30, 0), await PostgresFixture.ScalarAsync<DateTime>(db, "SELECT opened_at FROM tickets WHERE id = 5"));
        Assert.Equal("first\ttab\nnewline \\ backslash", await PostgresFixture.ScalarAsync<string>(db, "SELECT body FROM tickets WHERE id = 1"));
        // AUTOINCREMENT continues after the highest id ever used (sqlite_sequence), not after the highest remaining.
        Assert.Equal(5L, await PostgresFixture.ScalarAsync<long>(db, "INSERT INTO agents (name) VALUES ('new') RETURNING id"));
        Assert.Equal(6L, await PostgresFixture.ScalarAsync<long>(db, "INSERT INTO tickets (body) VALUES ('new') RETURNING id"));
        Assert.True(await PostgresFixture.ScalarAsync<bool>(db, "SELECT active FROM agents WHERE name = 'new'"));
        Assert.Equal("User_pkey,agents_name_key,agents_pkey,events_pkey?,ix_tickets_agent,ix_tickets_open,tickets_pkey".Replace("events_pkey?,", ""),
            await PostgresFixture.ScalarAsync<string>(db, "SELECT string_agg(indexname, ',' ORDER BY indexname COLLATE \"C\") FROM pg_indexes WHERE schemaname = 'public'"));
        Assert.Equal(1L, await PostgresFixture.ScalarAsync<long>(db, "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND confdeltype = 'c'"));
        Assert.Equal(3L, await PostgresFixture.ScalarAsync<long>(db, "SELECT count(*) FROM \"User\" WHERE \"order\" IN (1, 2)"));
        var integrity = await IntegritySnapshotter.TakeAsync(db);
        Assert.Equal(4, integrity.Tables.Count);

        await _migrator.UndoAsync(db, report);
        Assert.Empty((await IntegritySnapshotter.TakeAsync(db)).Tables);
    }

    [Fact]
    public async Task Sql_export_imports_with_psql_to_the_same_content()
    {
        var file = SqliteFiles.Create(_folder, SqliteFiles.Sample);
        var direct = await postgres.CreateDatabaseAsync("direct");
        await _migrator.MigrateAsync(file, direct);
        var sqlPath = Path.Combine(_folder, "sqlite_export.sql");
        await _migrator.MigrateAsync(file, null, new SqliteMigrationOptions { SqlOutPath = sqlPath });

        var imported = postgres.Server.Target($"imported_{Guid.NewGuid():N}"[..20]);
        await new PostgresRestoreGateway().RestoreAsync(imported, sqlPath);

        var expected = await IntegritySnapshotter.TakeAsync(direct);
        var actual = await IntegritySnapshotter.TakeAsync(imported);
        Assert.Empty(actual.CompareTo(expected));

        // Beside a load: the byte-exact copy of the file (hashed) and the gzip SQL export, both written while loading.
        var copyPath = Path.Combine(_folder, "copy.sqlite");
        var gzPath = Path.Combine(_folder, "sqlite_export.sql.gz");
        var beside = await postgres.CreateDatabaseAsync("beside");
        var report = await _migrator.MigrateAsync(file, beside, new SqliteMigrationOptions { CopyPath = copyPath, SqlOutPath = gzPath });
        Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(copyPath));
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(file))), report.Copy!.Sha256);
        Assert.StartsWith(report.Copy.Sha256 + "  copy.sqlite", await File.ReadAllTextAsync(copyPath + ".sha256"));
        Assert.Contains("copy sqlite file", report.PhaseSeconds.Keys);
        Assert.Contains("load tickets", ImportTimings.Of(report).ToString());
        await using (var gz = new System.IO.Compression.GZipStream(File.OpenRead(gzPath), System.IO.Compression.CompressionMode.Decompress))
        await using (var sql = File.Create(sqlPath + ".fromgz.sql"))
            await gz.CopyToAsync(sql);
        Assert.Equal(await File.ReadAllTextAsync(sqlPath), await File.ReadAllTextAsync(sqlPath + ".fromgz.sql"));
    }

    [Fact]
    public async Task Values_that_break_affinity_are_all_reported_and_nothing_is_migrated()
    {
        var file = SqliteFiles.Create(_folder, """
            CREATE TABLE ok (id INTEGER PRIMARY KEY);
            INSERT INTO ok VALUES (1);
            CREATE TABLE bad (id INTEGER PRIMARY KEY, n INTEGER, flag BOOLEAN, at DATETIME, t TEXT);
            INSERT INTO bad VALUES (1, 'abc', 1, '2025-01-01', 'fine'), (2, 1.5, 2, 'yesterday', x'00'), (3, 3, 0, NULL, 'a' || char(0) || 'b'), (4, 4, 1, NULL, CAST(x'C328' AS TEXT));
            """);
        var db = await postgres.CreateDatabaseAsync("aff");

        var copyPath = Path.Combine(_folder, "copy.sqlite");
        var error = await Assert.ThrowsAsync<SqliteAffinityException>(() => _migrator.MigrateAsync(file, db, new SqliteMigrationOptions { CopyPath = copyPath, SqlOutPath = copyPath + ".sql.gz" }));
        Assert.Equal(["dev.db"], Directory.GetFiles(_folder).Select(Path.GetFileName)); // no copy, export or partial beside a failed migration

        Assert.Equal(7, error.Total);
        Assert.Contains(error.Violations, v => v is { Column: "t", Row: "rowid 4" }); // invalid UTF-8, never replaced by U+FFFD
        Assert.Contains(error.Violations, v => v is { Column: "n", Row: "rowid 1" } && v.Problem.Contains("text 'abc'"));
        Assert.Contains(error.Violations, v => v is { Column: "flag", Row: "rowid 2" });
        Assert.Contains(error.Violations, v => v is { Column: "at", Row: "rowid 2" });
        Assert.Contains(error.Violations, v => v is { Column: "t", Row: "rowid 3" });
        Assert.DoesNotContain('\n', error.Message);
        Assert.Empty((await IntegritySnapshotter.TakeAsync(db)).Tables);
    }

    [Fact]
    public async Task Duplicate_keys_after_conversion_roll_everything_back()
    {
        // Two spellings of one instant are different text in SQLite, one timestamp in PostgreSQL.
        var file = SqliteFiles.Create(_folder, """
            CREATE TABLE slots (id INTEGER PRIMARY KEY, at DATETIME UNIQUE);
            INSERT INTO slots VALUES (1, '2025-01-01 10:00:00'), (2, '2025-01-01T10:00:00');
            """);
        var db = await postgres.CreateDatabaseAsync("dup");
        var error = await Assert.ThrowsAsync<DataOperationException>(() => _migrator.MigrateAsync(file, db));
        Assert.StartsWith("Duplicate key", error.Message);
        Assert.Empty((await IntegritySnapshotter.TakeAsync(db)).Tables);
    }

    [Fact]
    public async Task Orphan_foreign_keys_roll_everything_back()
    {
        var file = SqliteFiles.Create(_folder, """
            CREATE TABLE parent (id INTEGER PRIMARY KEY);
            CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id));
            INSERT INTO child VALUES (1, 42);
            """);
        var db = await postgres.CreateDatabaseAsync("fk");
        var error = await Assert.ThrowsAsync<DataOperationException>(() => _migrator.MigrateAsync(file, db));
        Assert.StartsWith("Foreign key violation", error.Message);
        Assert.Empty((await IntegritySnapshotter.TakeAsync(db)).Tables);
        // The staging schema the parallel load used is gone too.
        Assert.Equal(0L, await PostgresFixture.ScalarAsync<long>(db, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'twl_stage%'"));
    }

    [Fact]
    public async Task Existing_tables_are_refused_unless_drop_existing()
    {
        var file = SqliteFiles.Create(_folder, "CREATE TABLE agents (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO agents VALUES (1, 'sqlite');");
        var db = await postgres.CreateDatabaseAsync("exist");
        await PostgresFixture.ExecuteAsync(db, "CREATE TABLE agents (id int, name text); INSERT INTO agents VALUES (7, 'postgres')");

        var error = await Assert.ThrowsAsync<DataOperationException>(() => _migrator.MigrateAsync(file, db));
        Assert.Contains("already exist", error.Message);
        Assert.Equal("postgres", await PostgresFixture.ScalarAsync<string>(db, "SELECT name FROM agents"));

        await _migrator.MigrateAsync(file, db, new SqliteMigrationOptions { DropExisting = true });
        Assert.Equal("sqlite", await PostgresFixture.ScalarAsync<string>(db, "SELECT name FROM agents"));
        Assert.Equal("public", await PostgresFixture.ScalarAsync<string>(db, "SELECT schemaname::text FROM pg_tables WHERE tablename = 'agents'"));
        Assert.Equal(0L, await PostgresFixture.ScalarAsync<long>(db, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'twl_stage%'"));
    }

    [Fact]
    public async Task Bad_files_and_missing_tables_get_one_line_errors()
    {
        var db = await postgres.CreateDatabaseAsync("bad");
        var text = Path.Combine(_folder, "notes.db");
        await File.WriteAllTextAsync(text, new string('x', 4096));
        var notSqlite = await Assert.ThrowsAsync<DataOperationException>(() => _migrator.MigrateAsync(text, db));
        Assert.Contains("is not a SQLite database", notSqlite.Message);

        var missing = await Assert.ThrowsAsync<DataOperationException>(() => _migrator.MigrateAsync(Path.Combine(_folder, "nope.db"), db));
        Assert.Contains("does not exist", missing.Message);

        var file = SqliteFiles.Create(_folder, SqliteFiles.Sample);
        var noTable = await Assert.ThrowsAsync<DataOperationException>(() => _migrator.MigrateAsync(file, db, new SqliteMigrationOptions { Tables = ["agents", "ghosts"] }));
        Assert.Contains("ghosts not found", noTable.Message);

        var wrong = PostgresTarget.Parse($"Host=127.0.0.1;Port={postgres.Server.Port};Username=postgres;Password=nope;Database=postgres");
        var auth = await Assert.ThrowsAsync<DataOperationException>(() => _migrator.MigrateAsync(file, wrong));
        Assert.StartsWith("Authentication failed", auth.Message);
        Assert.Empty((await IntegritySnapshotter.TakeAsync(db)).Tables);
    }

    [Fact]
    public async Task A_corrupt_sqlite_file_is_reported_and_nothing_is_migrated()
    {
        var file = SqliteFiles.Create(_folder, "CREATE TABLE big (id INTEGER PRIMARY KEY, body TEXT); BEGIN;" +
            string.Concat(Enumerable.Range(1, 400).Select(i => $"INSERT INTO big VALUES ({i}, '{new string('b', 300)}');")) + "COMMIT;");
        var bytes = await File.ReadAllBytesAsync(file);
        // Overwrite the middle data pages (page 1 with the schema stays readable).
        for (var i = 8192; i < bytes.Length - 4096; i++) bytes[i] = 0xA5;
        await File.WriteAllBytesAsync(file, bytes);
        var db = await postgres.CreateDatabaseAsync("corrupt");

        var error = await Assert.ThrowsAsync<DataOperationException>(() => _migrator.MigrateAsync(file, db));
        Assert.Contains("corrupt", error.Message);
        Assert.Empty((await IntegritySnapshotter.TakeAsync(db)).Tables);
    }

    [Fact]
    public async Task A_table_subset_warns_about_foreign_keys_to_tables_left_behind()
    {
        var file = SqliteFiles.Create(_folder, SqliteFiles.Sample);
        var db = await postgres.CreateDatabaseAsync("subset");
        var report = await _migrator.MigrateAsync(file, db, new SqliteMigrationOptions { Tables = ["tickets"] });
        Assert.Equal(["tickets"], report.CreatedTables);
        Assert.Contains(report.Warnings, w => w.Contains("foreign key to agents was not created"));
    }

    [Fact]
    public async Task A_null_in_a_text_primary_key_fails_the_copy_cleanly()
    {
        // SQLite's legacy quirk: a non-INTEGER primary key accepts NULL. PostgreSQL refuses it during COPY.
        var rows = string.Concat(Enumerable.Range(1, 3000).Select(i => $"INSERT INTO codes VALUES ('c{i}', {i});"));
        var file = SqliteFiles.Create(_folder, $"CREATE TABLE codes (code TEXT PRIMARY KEY, n INTEGER); BEGIN; {rows} INSERT INTO codes VALUES (NULL, 0); COMMIT;");
        var db = await postgres.CreateDatabaseAsync("nullpk");
        var error = await Assert.ThrowsAsync<DataOperationException>(() => _migrator.MigrateAsync(file, db));
        Assert.Contains("23502", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Empty((await IntegritySnapshotter.TakeAsync(db)).Tables);
    }

    [Fact]
    public async Task A_failed_drop_existing_migration_keeps_the_old_tables()
    {
        var file = SqliteFiles.Create(_folder, """
            CREATE TABLE agents (id INTEGER PRIMARY KEY, name TEXT);
            CREATE TABLE tickets (id INTEGER PRIMARY KEY, agent_id INTEGER REFERENCES agents(id));
            INSERT INTO agents VALUES (1, 'sqlite'); INSERT INTO tickets VALUES (1, 99);
            """);
        var db = await postgres.CreateDatabaseAsync("keep");
        await PostgresFixture.ExecuteAsync(db, "CREATE TABLE agents (id int, name text); INSERT INTO agents VALUES (7, 'postgres')");
        var before = await IntegritySnapshotter.TakeAsync(db);

        await Assert.ThrowsAsync<DataOperationException>(() => _migrator.MigrateAsync(file, db, new SqliteMigrationOptions { DropExisting = true }));

        Assert.Empty((await IntegritySnapshotter.TakeAsync(db)).CompareTo(before));
        Assert.Equal("postgres", await PostgresFixture.ScalarAsync<string>(db, "SELECT name FROM agents"));
    }

    [Fact]
    public async Task Numeric_values_arrive_digit_for_digit()
    {
        var file = SqliteFiles.Create(_folder, """
            CREATE TABLE amounts (id INTEGER PRIMARY KEY, v NUMERIC);
            INSERT INTO amounts (v) VALUES (0), (-0.5), (0.0001), (123456789.125), (1e20), (-42), (9999.9999), (10000), (NULL), (0.07);
            """);
        var db = await postgres.CreateDatabaseAsync("num");
        var report = await _migrator.MigrateAsync(file, db);
        Assert.Equal(report.Tables[0].SourceChecksum, report.Tables[0].TargetChecksum);
        Assert.Equal("0,-0.5,0.0001,123456789.125,100000000000000000000,-42,9999.9999,10000,,0.07",
            await PostgresFixture.ScalarAsync<string>(db, "SELECT string_agg(coalesce(v::text, ''), ',' ORDER BY id) FROM amounts"));
    }

    [Fact]
    public async Task Tables_that_reference_each_other_migrate()
    {
        var file = SqliteFiles.Create(_folder, """
            CREATE TABLE teams (id INTEGER PRIMARY KEY, lead_id INTEGER REFERENCES people(id));
            CREATE TABLE people (id INTEGER PRIMARY KEY, team_id INTEGER REFERENCES teams(id));
            INSERT INTO teams VALUES (1, NULL); INSERT INTO people VALUES (1, 1); UPDATE teams SET lead_id = 1;
            """);
        var db = await postgres.CreateDatabaseAsync("cycle");
        var report = await _migrator.MigrateAsync(file, db);
        Assert.Equal(2, report.CreatedTables.Count);
        Assert.Equal(2L, await PostgresFixture.ScalarAsync<long>(db, "SELECT count(*) FROM pg_constraint WHERE contype = 'f'"));
    }
}
