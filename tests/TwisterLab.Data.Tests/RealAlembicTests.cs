using System.Diagnostics;
using TwisterLab.Cake.Data;

namespace TwisterLab.Data.Tests;

/// <summary>
/// The revision MigrateToMultiTenant writes, run by Alembic itself (Debian's python3-alembic with SQLAlchemy and
/// psycopg2, under /usr/bin/python3) in a project holding the application's earlier revision: on a database the tool
/// has not touched, upgrade does the work and downgrade takes it back; on one the tool migrated, upgrade only records
/// the revision.
/// </summary>
public sealed class RealAlembicTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    /// <summary>The application's revision SampleSchema's database is at.</summary>
    private const string AppRevision = "a1b2c3d4e5f6";

    private readonly string _project = Directory.CreateTempSubdirectory("twl-real-alembic-").FullName;

    private string Versions => Path.Combine(_project, "versions");

    [Fact]
    public async Task Upgrade_adds_tenant_support_to_a_fresh_database_and_downgrade_takes_it_back()
    {
        var db = await SampleAsync();
        // A name that is a format character to psycopg2 and a bind marker to SQLAlchemy.
        await PostgresFixture.ExecuteAsync(db, """CREATE TABLE "rate % per :plan" (id int); INSERT INTO "rate % per :plan" VALUES (1)""");
        var before = await IntegritySnapshotter.TakeAsync(db);
        var tables = ApplicationTables(before).Select(table => table.Table.Split('.', 2)[1]).ToList();
        AlembicTenantRevision.Write(Versions, AppRevision, "public", tables, "default", TimeSpan.FromSeconds(2));

        Assert.Equal("", await AlembicAsync(db, "upgrade", AlembicTenantRevision.Revision));
        Assert.Equal($"{AlembicTenantRevision.Revision} (head)", await CurrentAsync(db));
        Assert.Equal(tables.Count, await PostgresFixture.ScalarAsync<long>(db,
            "SELECT count(*) FROM information_schema.columns WHERE column_name = 'tenant_id' AND is_nullable = 'NO' AND column_default = '''default''::character varying'"));
        Assert.Equal(tables.Count, await PostgresFixture.ScalarAsync<long>(db,
            "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'ix_%_tenant' AND i.indisvalid"));
        Assert.Equal(1L, await PostgresFixture.ScalarAsync<long>(db, """SELECT count(*) FROM "rate % per :plan" WHERE tenant_id = 'default'"""));

        Assert.Equal("", await AlembicAsync(db, "downgrade", AppRevision));
        Assert.Equal(AppRevision, await CurrentAsync(db));
        Assert.Empty((await IntegritySnapshotter.TakeAsync(db)).CompareTo(before));
        Assert.Equal(0L, await PostgresFixture.ScalarAsync<long>(db, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'tenant_id'"));
    }

    [Fact]
    public async Task Upgrade_on_a_database_the_tool_migrated_only_records_the_revision()
    {
        var db = await SampleAsync();
        await new TenantMigrator().MigrateAsync(db, new TenantMigrationOptions { AlembicVersionsDirectory = Versions });
        var migrated = await IntegritySnapshotter.TakeAsync(db);
        var ticketsFile = await PostgresFixture.ScalarAsync<uint>(db, "SELECT relfilenode::oid FROM pg_class WHERE relname = 'tickets'");

        Assert.Equal("", await AlembicAsync(db, "upgrade", "head"));
        Assert.Equal($"{AlembicTenantRevision.Revision} (head)", await CurrentAsync(db));
        Assert.Equal(ApplicationTables(migrated), ApplicationTables(await IntegritySnapshotter.TakeAsync(db)));
        Assert.Equal(ticketsFile, await PostgresFixture.ScalarAsync<uint>(db, "SELECT relfilenode::oid FROM pg_class WHERE relname = 'tickets'"));
    }

    /// <summary>Every table but alembic_version, with its rows and content checksum.</summary>
    private static List<TableIntegrity> ApplicationTables(IntegritySnapshot snapshot) =>
        snapshot.Tables.Where(table => !table.Table.EndsWith(".alembic_version", StringComparison.Ordinal)).ToList();

    private async Task<PostgresTarget> SampleAsync()
    {
        var db = await postgres.CreateDatabaseAsync("alem");
        await PostgresFixture.ExecuteAsync(db, SampleSchema.Sql);
        WriteProject();
        return db;
    }

    /// <summary>An Alembic project as an application has one: alembic.ini, env.py and its revision before the tenant migration.</summary>
    private void WriteProject()
    {
        Directory.CreateDirectory(Versions);
        File.WriteAllText(Path.Combine(_project, "alembic.ini"), $"[alembic]\nscript_location = {_project}\n");
        // The database comes from the environment: no password in a file or an argument.
        File.WriteAllText(Path.Combine(_project, "env.py"), """
            import os
            from alembic import context
            from sqlalchemy import create_engine

            with create_engine(os.environ["TWL_ALEMBIC_URL"]).connect() as connection:
                context.configure(connection=connection)
                with context.begin_transaction():
                    context.run_migrations()
            """);
        File.WriteAllText(Path.Combine(Versions, AppRevision + ".py"), $"""
            revision = "{AppRevision}"
            down_revision = None
            branch_labels = None
            depends_on = None


            def upgrade():
                pass


            def downgrade():
                pass
            """);
    }

    private async Task<string> CurrentAsync(PostgresTarget db) => (await AlembicAsync(db, "current")).Trim();

    /// <summary>Runs alembic; its standard output, or a failure carrying what it printed.</summary>
    private async Task<string> AlembicAsync(PostgresTarget db, params string[] arguments)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _project };
        foreach (var argument in (string[])["-m", "alembic", "-c", Path.Combine(_project, "alembic.ini"), .. arguments]) start.ArgumentList.Add(argument);
        start.Environment["TWL_ALEMBIC_URL"] = $"postgresql+psycopg2://{Uri.EscapeDataString(db.Username)}:{Uri.EscapeDataString(db.Password ?? "")}@{db.Host}:{db.Port}/{db.Database}";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0,
            $"alembic {string.Join(' ', arguments)} exited {process.ExitCode} (python3-alembic and python3-psycopg2 installed?):\n{await output}\n{await errors}");
        return await output;
    }

    public void Dispose() => Directory.Delete(_project, recursive: true);
}
