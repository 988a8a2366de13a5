using Npgsql;
using TwisterLab.Cake.Data;

namespace TwisterLab.Data.Tests;

/// <summary>The migration's verification reads what PostgreSQL stored: a value changed by one bit after it left SQLite fails it.</summary>
public sealed class SqliteVerificationTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("twl-verify-").FullName;
    private readonly SqliteToPostgresMigrator _migrator = new();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_server_side_checksum_equals_a_read_back_of_every_row()
    {
        var file = SqliteFiles.Create(_folder, SqliteFiles.Sample);
        var db = await postgres.CreateDatabaseAsync("agree");

        var report = await _migrator.MigrateAsync(file, db);

        Assert.Equal("OnServer", report.Verification);
        await using var connection = await PostgresErrors.OpenAsync(db);
        foreach (var table in Tables(file))
        {
            var source = report.Tables.Single(t => t.Table == table.Name).SourceChecksum;
            Assert.Equal(source, PostgresTableChecksum.Compute(connection, table, "public", ChecksumMethod.OnServer));
            Assert.Equal(source, PostgresTableChecksum.Compute(connection, table, "public", ChecksumMethod.ReadBack));
        }
    }

    [Theory]
    [InlineData("agents", "UPDATE agents SET score = 1e-323 WHERE score = 5e-324")] // the next double up
    [InlineData("agents", "UPDATE agents SET created_at = created_at + interval '1 microsecond' WHERE id = 1")]
    [InlineData("agents", "UPDATE agents SET active = NOT active WHERE id = 1")]
    [InlineData("agents", "UPDATE agents SET budget = 12.51 WHERE id = 1")]
    [InlineData("tickets", "UPDATE tickets SET attachment = '\\x00ff11' WHERE id = 1")] // one bit
    [InlineData("tickets", "UPDATE tickets SET body = replace(body, 'tab', 'tub') WHERE id = 1")]
    [InlineData("tickets", "UPDATE tickets SET status = CASE id WHEN 1 THEN 'closed' ELSE 'open' END WHERE id IN (1, 2)")] // two rows swap a value
    [InlineData("events", "UPDATE events SET ts = NULL WHERE ts = 1.5")]
    [InlineData("User", "UPDATE \"User\" SET \"order\" = 4294967296 WHERE \"order\" = 1 AND \"Select\" = 'a'")] // same hashint8 as 1: its halves xor alike
    [InlineData("events", "INSERT INTO events SELECT * FROM events WHERE ts = 1.5")]
    public async Task A_value_changed_after_the_load_no_longer_matches(string table, string corruption)
    {
        var file = SqliteFiles.Create(_folder, SqliteFiles.Sample);
        var db = await postgres.CreateDatabaseAsync("changed");
        var report = await _migrator.MigrateAsync(file, db);

        await PostgresFixture.ExecuteAsync(db, corruption);

        await using var connection = await PostgresErrors.OpenAsync(db);
        var source = report.Tables.Single(t => t.Table == table).SourceChecksum;
        var migrated = Tables(file).Single(t => t.Name == table);
        Assert.NotEqual(source, PostgresTableChecksum.Compute(connection, migrated, "public", ChecksumMethod.OnServer));
        Assert.NotEqual(source, PostgresTableChecksum.Compute(connection, migrated, "public", ChecksumMethod.ReadBack));
    }

    [Fact]
    public async Task Negative_zero_is_not_zero()
    {
        var file = SqliteFiles.Create(_folder, "CREATE TABLE z (id INTEGER PRIMARY KEY, v REAL); INSERT INTO z VALUES (1, 0.0);");
        var db = await postgres.CreateDatabaseAsync("zero");
        var report = await _migrator.MigrateAsync(file, db);
        // PostgreSQL's own float8 hash calls them equal; the checksum hashes the bits.
        Assert.True(await PostgresFixture.ScalarAsync<bool>(db, "SELECT hashfloat8extended('-0', 0) = hashfloat8extended('0', 0)"));

        await PostgresFixture.ExecuteAsync(db, "UPDATE z SET v = '-0'");

        await using var connection = await PostgresErrors.OpenAsync(db);
        Assert.NotEqual(report.Tables[0].SourceChecksum, PostgresTableChecksum.Compute(connection, Tables(file)[0], "public", ChecksumMethod.OnServer));
    }

    [Fact]
    public async Task A_value_changed_on_its_way_in_fails_the_migration_and_nothing_is_kept()
    {
        var file = SqliteFiles.Create(_folder, SqliteFiles.Sample);
        var db = await postgres.CreateDatabaseAsync("tamper");
        // Every tickets table created from now on gets a trigger that appends one character to ticket 1's body as it is stored.
        await PostgresFixture.ExecuteAsync(db, """
            CREATE FUNCTION public.tamper() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.id = 1 THEN NEW.body := NEW.body || '!'; END IF; RETURN NEW; END $$;
            CREATE FUNCTION public.add_tamper() RETURNS event_trigger LANGUAGE plpgsql AS $$
            DECLARE created record;
            BEGIN
              FOR created IN SELECT object_identity FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE TABLE' AND object_identity LIKE '%.tickets' LOOP
                EXECUTE format('CREATE TRIGGER tamper BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION public.tamper()', created.object_identity);
              END LOOP;
            END $$;
            CREATE EVENT TRIGGER add_tamper ON ddl_command_end EXECUTE FUNCTION public.add_tamper();
            """);
        try
        {
            var error = await Assert.ThrowsAsync<DataOperationException>(() => _migrator.MigrateAsync(file, db));

            Assert.StartsWith("Verification failed for tickets", error.Message);
            Assert.Equal(0L, await PostgresFixture.ScalarAsync<long>(db, "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"));
            Assert.Equal(0L, await PostgresFixture.ScalarAsync<long>(db, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'twl_stage%'"));
        }
        finally
        {
            await PostgresFixture.ExecuteAsync(db, "DROP EVENT TRIGGER add_tamper");
        }
    }

    [Fact]
    public async Task A_failure_in_one_table_rolls_back_the_tables_loaded_beside_it()
    {
        // Two larger tables load and index on other connections while the small one fails its unique index.
        var rows = string.Join(",", Enumerable.Range(1, 20_000).Select(i => $"({i}, 'row {i}')"));
        var file = SqliteFiles.Create(_folder, $"""
            CREATE TABLE big1 (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO big1 VALUES {rows};
            CREATE TABLE big2 (id INTEGER PRIMARY KEY, v TEXT); CREATE INDEX ix_big2_v ON big2 (v); INSERT INTO big2 VALUES {rows};
            CREATE TABLE small (id INTEGER PRIMARY KEY, at DATETIME UNIQUE);
            INSERT INTO small VALUES (1, '2025-01-01 10:00:00'), (2, '2025-01-01T10:00:00');
            """); // two spellings of one instant: different text in SQLite, one timestamp in PostgreSQL
        var db = await postgres.CreateDatabaseAsync("partial");
        await PostgresFixture.ExecuteAsync(db, "CREATE TABLE big1 (id int, v text); INSERT INTO big1 VALUES (7, 'kept')");

        var error = await Assert.ThrowsAsync<DataOperationException>(() =>
            _migrator.MigrateAsync(file, db, new SqliteMigrationOptions { DropExisting = true, Parallelism = 3 }));

        Assert.StartsWith("Duplicate key", error.Message);
        Assert.Equal("kept", await PostgresFixture.ScalarAsync<string>(db, "SELECT string_agg(v, ',') FROM big1"));
        Assert.Equal(1L, await PostgresFixture.ScalarAsync<long>(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"));
        Assert.Equal(0L, await PostgresFixture.ScalarAsync<long>(db, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'twl_stage%'"));
    }

    private static IReadOnlyList<SqliteTable> Tables(string file)
    {
        using var sqlite = SqliteSchemaReader.Open(file);
        return SqliteSchemaReader.Read(sqlite, file);
    }
}
