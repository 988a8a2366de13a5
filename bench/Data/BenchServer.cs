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

    /// <summary>
    /// CPU seconds the server has used so far: the postmaster's reaped children (finished backends) plus every live
    /// child (checkpointer, WAL writer, parallel workers, open backends). Differences of this are contention-proof,
    /// unlike wall time on a shared machine.
    /// </summary>
    public double ServerCpuSeconds()
    {
        var postmaster = int.Parse(File.ReadLines(Path.Combine(Server.DataDirectory, "postmaster.pid")).First());
        var ticks = Stat(postmaster) is { } own ? own.ChildTicks : 0;
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            if (Stat(pid) is { } child && child.Parent == postmaster) ticks += child.OwnTicks + child.ChildTicks;
        }
        return ticks / 100.0; // USER_HZ
    }

    private static (int Parent, long OwnTicks, long ChildTicks)? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            // After "pid (comm) ": state ppid ... utime(12) stime(13) cutime(14) cstime(15), counted from state = 0.
            return (int.Parse(fields[1]), long.Parse(fields[11]) + long.Parse(fields[12]), long.Parse(fields[13]) + long.Parse(fields[14]));
        }
        catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
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
