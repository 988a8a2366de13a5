using Npgsql;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Data.Throwaway;

namespace TwisterLab.Data.Bench;

/// <summary>One throwaway PostgreSQL 15 shared by every contender, with bulk-load friendly settings applied to all alike.</summary>
internal sealed class BenchServer : IAsyncDisposable
{
    private BenchServer(ThrowawayPostgres server, string version)
    {
        Server = server;
        Version = version;
    }

    public ThrowawayPostgres Server { get; }
    public string Version { get; }
    public string Folder { get; } = Directory.CreateTempSubdirectory("twl-bench-").FullName;

    /// <param name="bulkSettings">
    /// false: PostgreSQL's defaults (WAL at 'replica', 128MB shared buffers), like a real target.
    /// true: bulk-load settings (wal_level=minimal, big buffers) — every contender gets them alike.
    /// </param>
    public static async Task<BenchServer> StartAsync(bool bulkSettings)
    {
        var server = await ThrowawayPostgres.StartAsync(bulkSettings
            ? new Dictionary<string, string>
            {
                ["shared_buffers"] = "512MB",
                ["max_wal_size"] = "8GB",
                ["wal_level"] = "minimal",
                ["max_wal_senders"] = "0",
                ["checkpoint_timeout"] = "30min",
            }
            : new Dictionary<string, string> { ["max_wal_size"] = "4GB" });
        return new BenchServer(server, await ScalarAsync<string>(server.Target(), "SHOW server_version"));
    }

    public async Task<PostgresTarget> FreshDatabaseAsync(string name)
    {
        await ExecuteAsync(Server.Target(), $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        await ExecuteAsync(Server.Target(), $"CREATE DATABASE {name}");
        return Server.Target(name);
    }

    public string Url(string database) => $"postgresql://postgres:{Server.Password}@127.0.0.1:{Server.Port}/{database}";

    public static async Task ExecuteAsync(PostgresTarget target, string sql)
    {
        await using var connection = new NpgsqlConnection(target.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<T> ScalarAsync<T>(PostgresTarget target, string sql)
    {
        await using var connection = new NpgsqlConnection(target.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}
