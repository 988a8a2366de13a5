using Npgsql;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Data.Throwaway;
using TwisterLab.Cake.Rehearsal;

namespace TwisterLab.Cake.Tests;

/// <summary>The rehearsal's alembic runs the image's own SQL migrations on a real PostgreSQL, both ways, and no others.</summary>
public sealed class StandInAlembicTests
{
    private static readonly string Migrations = Path.Combine(RepositoryRoot.Path, "rehearsal", "migrations");

    [Fact]
    public async Task Upgrades_to_head_reports_current_and_downgrades()
    {
        await using var server = await ThrowawayPostgres.StartAsync();
        var alembic = StandInAlembic.ForImage(Migrations, "twisterlab-api:v2.0", server.Target());

        Assert.Equal(0, await Run(alembic, "upgrade", "0001_initial"));
        Assert.Equal("0001_initial", (await Output(alembic, "current")).Trim());
        Assert.Equal(0, await Run(alembic, "upgrade", "head"));
        Assert.Equal("0002_ticket_priority (head)", (await Output(alembic, "current")).Trim());
        Assert.True(await ColumnExists(server, "priority"));

        Assert.Equal(0, await Run(alembic, "downgrade", "0001_initial"));
        Assert.False(await ColumnExists(server, "priority"));
        Assert.Equal(1, await Run(alembic, "upgrade", "no_such_revision"));
    }

    [Fact]
    public async Task An_image_knows_only_its_own_migrations()
    {
        await using var server = await ThrowawayPostgres.StartAsync();
        var v1 = StandInAlembic.ForImage(Migrations, "twisterlab-api:v1", server.Target());
        var v2 = StandInAlembic.ForImage(Migrations, "twisterlab-api:v2-degraded", server.Target());
        Assert.EndsWith("v1", StandInAlembic.FolderFor(Migrations, "twisterlab-api:v1.1"));
        Assert.EndsWith("v2", StandInAlembic.FolderFor(Migrations, "twisterlab-api:v3-faulty"));

        Assert.Equal(0, await Run(v1, "upgrade", "head"));
        Assert.Equal("0001_initial (head)", (await Output(v1, "current")).Trim());
        Assert.Equal("0002_ticket_priority (head)", (await Output(v2, "heads")).Trim());
        Assert.Equal(["0001_initial -> 0002_ticket_priority (head), 0002_ticket_priority", "<base> -> 0001_initial, 0001_initial"],
            (await Output(v2, "history")).Trim().Split('\n'));

        Assert.Equal(0, await Run(v2, "upgrade", "head"));
        // As Alembic: an image without the database's revision cannot even say where the database is.
        var error = new StringWriter();
        Assert.Equal(1, await v1.RunAsync(["current"], TextWriter.Null, error, CancellationToken.None));
        Assert.Contains("Can't locate revision identified by '0002_ticket_priority'", error.ToString());
    }

    [Fact]
    public async Task A_mounted_tenant_revision_is_one_more_version_location_both_ways()
    {
        await using var server = await ThrowawayPostgres.StartAsync();
        var mounted = Directory.CreateTempSubdirectory("twl-mounted-").FullName;
        var bare = StandInAlembic.ForImage(Migrations, "twisterlab-api:v2.0", server.Target());
        var withRevision = StandInAlembic.ForImage(Migrations, "twisterlab-api:v2.0", server.Target(), mounted);
        Assert.Equal(0, await Run(bare, "upgrade", "head"));
        AlembicTenantRevision.Write(mounted, "0002_ticket_priority", "public", ["agents", "tickets"], "default", TimeSpan.FromSeconds(2));

        Assert.Equal(["0002_ticket_priority (head)"], Lines(await Output(bare, "heads")));
        Assert.Equal(["add_tenant_support (head)"], Lines(await Output(withRevision, "heads")));
        Assert.Equal(0, await Run(withRevision, "upgrade", "add_tenant_support"));
        Assert.Equal("add_tenant_support (head)", (await Output(withRevision, "current")).Trim());
        Assert.Equal("NO", await Scalar(server, "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'tickets' AND column_name = 'tenant_id'"));
        Assert.Equal(2L, await Scalar(server, "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname LIKE 'ix_%_tenant' AND i.indisvalid"));

        // An image that does not carry the revision cannot even say where the database is.
        var error = new StringWriter();
        Assert.Equal(1, await bare.RunAsync(["upgrade", "head"], TextWriter.Null, error, CancellationToken.None));
        Assert.Contains("Can't locate revision identified by 'add_tenant_support'", error.ToString());

        Assert.Equal(0, await Run(withRevision, "downgrade", "0002_ticket_priority"));
        Assert.Equal("0002_ticket_priority (head)", (await Output(bare, "current")).Trim());
        Assert.Equal(0L, await Scalar(server, "SELECT count(*) FROM information_schema.columns WHERE column_name = 'tenant_id'"));
        Assert.Equal(0L, await Scalar(server, "SELECT count(*) FROM pg_class WHERE relname LIKE 'ix_%_tenant'"));
        Directory.Delete(mounted, recursive: true);
    }

    [Fact]
    public async Task Two_heads_are_refused_for_upgrade_head_as_alembic_refuses_them()
    {
        await using var server = await ThrowawayPostgres.StartAsync();
        var mounted = Directory.CreateTempSubdirectory("twl-mounted-").FullName;
        // The revision revises 0001_initial, as 0002_ticket_priority of v2 does: two heads.
        AlembicTenantRevision.Write(mounted, "0001_initial", "public", ["agents"], "default", TimeSpan.FromSeconds(2));
        var alembic = StandInAlembic.ForImage(Migrations, "twisterlab-api:v2.0", server.Target(), mounted);

        Assert.Equal(["0002_ticket_priority (head)", "add_tenant_support (head)"], Lines(await Output(alembic, "heads")));
        var error = new StringWriter();
        Assert.Equal(1, await alembic.RunAsync(["upgrade", "head"], TextWriter.Null, error, CancellationToken.None));
        Assert.Contains("Multiple head revisions are present", error.ToString());
        Directory.Delete(mounted, recursive: true);
    }

    private static string[] Lines(string text) => text.Trim().Split('\n');

    private static async Task<object?> Scalar(ThrowawayPostgres server, string sql)
    {
        await using var connection = new NpgsqlConnection(server.Target().ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static Task<int> Run(StandInAlembic alembic, params string[] arguments) =>
        alembic.RunAsync(arguments, TextWriter.Null, TextWriter.Null, CancellationToken.None);

    private static async Task<string> Output(StandInAlembic alembic, params string[] arguments)
    {
        var output = new StringWriter();
        await alembic.RunAsync(arguments, output, TextWriter.Null, CancellationToken.None);
        return output.ToString();
    }

    private static async Task<bool> ColumnExists(ThrowawayPostgres server, string column)
    {
        await using var connection = new NpgsqlConnection(server.Target().ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM information_schema.columns WHERE table_name = 'tickets' AND column_name = $1", connection) { Parameters = { new() { Value = column } } };
        return (long)(await command.ExecuteScalarAsync())! == 1;
    }
}
