using Npgsql;

namespace TwisterLab.Cake.Data;

/// <summary>Create and drop databases (scratch restore tests, restore into a new database).</summary>
public static class ScratchDatabase
{
    public static async Task CreateAsync(PostgresTarget database, CancellationToken cancellationToken = default)
    {
        await using var connection = await PostgresErrors.OpenAsync(database.Maintenance, cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE DATABASE {Sql.Quote(database.Database)}", connection);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException ex)
        {
            throw PostgresErrors.Translate(ex, database.Maintenance, $"CREATE DATABASE {database.Database}");
        }
    }

    /// <summary>Drops the database, disconnecting anyone still on it (PostgreSQL 13+ WITH (FORCE)). Idempotent.</summary>
    public static async Task DropAsync(PostgresTarget database, CancellationToken cancellationToken = default)
    {
        NpgsqlConnection.ClearPool(database.CreateConnection());
        await using var connection = await PostgresErrors.OpenAsync(database.Maintenance, cancellationToken);
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Sql.Quote(database.Database)} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
