using StackExchange.Redis;

namespace TwisterLab.Cake.Data.Throwaway;

/// <summary>
/// A disposable <c>redis-server</c> on a free 127.0.0.1 port with its own temp folder, optionally loading an
/// existing RDB file (that is how a copied backup is checked). Stopped and deleted on dispose and when this
/// process dies (see <see cref="Watchdog"/>).
/// </summary>
public sealed class ThrowawayRedis : IAsyncDisposable, IDisposable
{
    private readonly Watchdog _watchdog;

    private ThrowawayRedis(Watchdog watchdog, string directory, int port, string? password)
    {
        Password = password;
        _watchdog = watchdog;
        Directory = directory;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The watchdog wrapper's PID: it runs the server and stops it when signalled or when its parent dies.</summary>
    public int ProcessId => _watchdog.WrapperPid;
    public string Directory { get; }
    public string? Password { get; }
    public RedisTarget Target => new(Password is null ? $"127.0.0.1:{Port}" : $"127.0.0.1:{Port},password={Password}");

    /// <param name="rdbFile">An RDB file to load at start-up (copied into the server's folder; the original is never touched).</param>
    /// <param name="password">Require this password (requirepass), or none.</param>
    public static async Task<ThrowawayRedis> StartAsync(string? rdbFile = null, string? password = null, CancellationToken cancellationToken = default)
    {
        var executable = FindRedisServer();
        var directory = Path.Combine(Path.GetTempPath(), $"twl-redis-{Guid.NewGuid():N}"[..23]);
        System.IO.Directory.CreateDirectory(directory);
        if (rdbFile is not null) File.Copy(rdbFile, Path.Combine(directory, "dump.rdb"));

        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var port = LoopbackPort.Next();
            var watchdog = Watchdog.Start(null, "TERM", Path.Combine(directory, "server.log"), directory, executable,
                ["--port", port.ToString(), "--bind", "127.0.0.1", "--dir", directory, "--dbfilename", "dump.rdb",
                 "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "no",
                 .. (password is null ? Array.Empty<string>() : ["--requirepass", password])]);
            try
            {
                await WaitUntilReadyAsync(port, password, watchdog, cancellationToken);
                return new ThrowawayRedis(watchdog, directory, port, password);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                last = ex;
                watchdog.Stop(TimeSpan.FromSeconds(5));
                // Only a lost port race is worth another try; a bad RDB file fails the same way every time.
                if (!ReadLog(directory).Contains("Address already in use", StringComparison.Ordinal)) break;
                if (!System.IO.Directory.Exists(directory)) System.IO.Directory.CreateDirectory(directory);
                if (rdbFile is not null && !File.Exists(Path.Combine(directory, "dump.rdb"))) File.Copy(rdbFile, Path.Combine(directory, "dump.rdb"));
            }
        }
        var log = ReadLog(directory);
        try { System.IO.Directory.Delete(directory, true); } catch (IOException) { }
        throw new DataOperationException($"Throwaway redis-server did not start ({last?.Message}) {log}: check the RDB file and the redis-server install.");
    }

    private static string ReadLog(string directory)
    {
        var path = Path.Combine(directory, "server.log");
        return File.Exists(path) ? string.Join(" | ", File.ReadLines(path).Where(l => l.Trim().Length > 0).TakeLast(2)) : "";
    }

    private static async Task WaitUntilReadyAsync(int port, string? password, Watchdog watchdog, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (watchdog.HasExited) throw new InvalidOperationException("redis-server exited during start-up");
            try
            {
                await using var connection = await ConnectionMultiplexer.ConnectAsync(
                    new ConfigurationOptions { EndPoints = { $"127.0.0.1:{port}" }, Password = password, ConnectTimeout = 1000, AbortOnConnectFail = true });
                // LOADING replies make PING fail until the RDB is read; retry until it answers.
                await connection.GetDatabase().PingAsync();
                return;
            }
            catch (Exception ex) when (ex is RedisException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }

    private static string FindRedisServer()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':'))
        {
            var candidate = Path.Combine(dir, "redis-server");
            if (File.Exists(candidate)) return candidate;
        }
        throw new DataOperationException("redis-server not found on PATH: apt-get install redis-server.");
    }

    public void Dispose()
    {
        _watchdog.Stop(TimeSpan.FromSeconds(10));
        _watchdog.Dispose();
        try { if (System.IO.Directory.Exists(Directory)) System.IO.Directory.Delete(Directory, true); } catch (IOException) { }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
