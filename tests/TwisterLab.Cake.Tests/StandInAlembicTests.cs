using Npgsql;
using TwisterLab.Cake.Data.Throwaway;
using TwisterLab.Cake.Rehearsal;

namespace TwisterLab.Cake.Tests;

/// <summary>The rehearsal's alembic runs the project's SQL migrations on a real PostgreSQL, both ways.</summary>
public sealed class StandInAlembicTests
{
    private static readonly string Migrations = Path.Combine(RepositoryRoot.Path, "rehearsal", "migrations");

    [Fact]
    public async Task Upgrades_to_head_reports_current_and_downgrades()
    {
        await using var server = await ThrowawayPostgres.StartAsync();
        var alembic = new StandInAlembic(Migrations, server.Target());

        Assert.Equal(0, await Run(alembic, "upgrade", "0001_initial"));
        Assert.Equal("0001_initial", (await Output(alembic, "current")).Trim());
        Assert.Equal(0, await Run(alembic, "upgrade", "head"));
        Assert.Equal("0002_ticket_priority (head)", (await Output(alembic, "current")).Trim());
        Assert.True(await ColumnExists(server, "priority"));

        Assert.Equal(0, await Run(alembic, "downgrade", "0001_initial"));
        Assert.False(await ColumnExists(server, "priority"));
        Assert.Equal(1, await Run(alembic, "upgrade", "no_such_revision"));
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
