using Npgsql;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Data.Throwaway;

namespace TwisterLab.Data.Tests;

/// <summary>One throwaway PostgreSQL per test class; each test gets its own database.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private int _next;

    public ThrowawayPostgres Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ThrowawayPostgres.StartAsync();

    public Task DisposeAsync()
    {
        Server.Dispose();
        return Task.CompletedTask;
    }

    public async Task<PostgresTarget> CreateDatabaseAsync(string? prefix = null)
    {
        var name = $"{prefix ?? "t"}_{Interlocked.Increment(ref _next)}_{Guid.NewGuid():N}"[..30];
        await ExecuteAsync(Server.Target(), $"CREATE DATABASE \"{name}\"");
        return Server.Target(name);
    }

    public static async Task ExecuteAsync(PostgresTarget target, string sql)
    {
        await using var connection = new NpgsqlConnection(target.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(PostgresTarget target, string sql)
    {
        await using var connection = new NpgsqlConnection(target.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
