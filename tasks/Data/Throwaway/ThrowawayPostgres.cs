using System.Security.Cryptography;
using Npgsql;

namespace TwisterLab.Cake.Data.Throwaway;

/// <summary>
/// A disposable PostgreSQL server from the machine's binaries: initdb into a temp folder, a free 127.0.0.1 port,
/// password (scram) auth over TCP. Stopped and deleted on dispose, and by its <see cref="Watchdog"/> when this
/// process dies. Used by tests and by rehearsals (restore tests into a scratch server).
/// Durability is off (fsync, full_page_writes): it is a scratch server, never a home for data.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable, IDisposable
{
    private readonly Watchdog _watchdog;
    private readonly string _dataDirectory;

    private ThrowawayPostgres(Watchdog watchdog, string dataDirectory, int port, string password)
    {
        _watchdog = watchdog;
        _dataDirectory = dataDirectory;
        Port = port;
        Password = password;
    }

    public int Port { get; }

    /// <summary>The watchdog wrapper's PID: it runs the server and stops it when signalled or when its parent dies.</summary>
    public int ProcessId => _watchdog.WrapperPid;
    public string Password { get; }
    public const string Superuser = "postgres";
    public string DataDirectory => _dataDirectory;

    /// <summary>The superuser on database <paramref name="database"/>.</summary>
    public PostgresTarget Target(string database = "postgres") => new(new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = Port, Username = Superuser, Password = Password, Database = database,
        // Scratch databases get dropped while the pool still holds connections; keep pools small and short-lived.
        MaxPoolSize = 20, ConnectionIdleLifetime = 10, ConnectionPruningInterval = 5,
    }.ConnectionString);

    /// <summary>Starts a server. <paramref name="settings"/> are extra <c>-c name=value</c> server settings.</summary>
    public static async Task<ThrowawayPostgres> StartAsync(IReadOnlyDictionary<string, string>? settings = null, CancellationToken cancellationToken = default)
    {
        var runAs = ServerUser.ForPostgres();
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"twl-pg-{Guid.NewGuid():N}"[..20]);
        var init = ServerUser.Run(runAs, PostgresBinaries.Path("initdb"),
            "-D", dataDirectory, "-U", Superuser, "--auth-local=trust", "--auth-host=scram-sha-256",
            "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions");
        if (init.ExitCode != 0)
        {
            TryDelete(dataDirectory);
            throw new DataOperationException($"initdb failed for a throwaway PostgreSQL: {init.Output.Trim().Split('\n')[^1]}");
        }

        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = LoopbackPort.Next();
            var watchdog = Watchdog.Start(runAs, "INT", Path.Combine(dataDirectory, "server.log"), dataDirectory, PostgresBinaries.Path("postgres"),
                ServerArguments(dataDirectory, port, settings));
            try
            {
                var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(12));
                await SetPasswordAsync(dataDirectory, port, password, watchdog, cancellationToken);
                return new ThrowawayPostgres(watchdog, dataDirectory, port, password);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                last = ex;
                if (watchdog.HasExited && attempt < 2 && File.Exists(Path.Combine(dataDirectory, "PG_VERSION"))) continue; // port race: retry
                watchdog.Stop(TimeSpan.FromSeconds(10));
                break;
            }
        }
        var log = ReadLog(dataDirectory);
        TryDelete(dataDirectory);
        throw new DataOperationException($"Throwaway PostgreSQL did not start: {last?.Message} {log}");
    }

    private static IEnumerable<string> ServerArguments(string dataDirectory, int port, IReadOnlyDictionary<string, string>? settings)
    {
        var all = new Dictionary<string, string>
        {
            ["listen_addresses"] = "127.0.0.1",
            ["unix_socket_directories"] = dataDirectory,
            ["fsync"] = "off",
            ["full_page_writes"] = "off",
            ["synchronous_commit"] = "off",
            ["max_connections"] = "60",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) all[key] = value;
        yield return "-D";
        yield return dataDirectory;
        yield return "-p";
        yield return port.ToString();
        foreach (var (key, value) in all)
        {
            yield return "-c";
            yield return $"{key}={value}";
        }
    }

    // The superuser password is set over the Unix socket (trust auth) so no password file ever touches disk.
    private static async Task SetPasswordAsync(string dataDirectory, int port, string password, Watchdog watchdog, CancellationToken cancellationToken)
    {
        var local = new NpgsqlConnectionStringBuilder { Host = dataDirectory, Port = port, Username = Superuser, Database = "postgres", Pooling = false }.ConnectionString;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(local);
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand($"ALTER USER {Superuser} PASSWORD '{password}'", connection);
                await command.ExecuteNonQueryAsync(cancellationToken);
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException && !watchdog.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken);
            }
            if (watchdog.HasExited) throw new InvalidOperationException("server exited during start-up");
        }
    }

    private static string ReadLog(string dataDirectory)
    {
        try
        {
            var lines = File.ReadAllLines(Path.Combine(dataDirectory, "server.log"));
            return string.Join(" | ", lines.TakeLast(3));
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    private static void TryDelete(string directory)
    {
        try
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // The watchdog removes it when it exits; nothing else to do here.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        _watchdog.Stop(TimeSpan.FromSeconds(15));
        _watchdog.Dispose();
        TryDelete(_dataDirectory);
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
