using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TwisterLab.KubeSim.Tests;

/// <summary>
/// A PostgreSQL server from the machine's own binaries (initdb, pg_ctl) in a temporary folder on a free port,
/// trusting local connections, deleted on dispose. As root it runs as the postgres user, as initdb requires.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    readonly string folder;

    ThrowawayPostgres(string folder, int port)
    {
        this.folder = folder;
        Port = port;
    }

    public int Port { get; }

    public IReadOnlyDictionary<string, string> ClientEnvironment => new Dictionary<string, string>
    {
        ["PGHOST"] = "127.0.0.1",
        ["PGPORT"] = Port.ToString(),
        ["PGUSER"] = "postgres",
        ["PGPASSWORD"] = "unused-with-trust",
    };

    public static async Task<ThrowawayPostgres> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("kubesim-pg-").FullName;
        var port = FreePort();
        var server = new ThrowawayPostgres(folder, port);
        if (Environment.UserName == "root") await RunAsync("chown", "postgres", folder);
        await server.AsServerUserAsync("initdb", "-D", Path.Combine(folder, "data"), "-A", "trust", "-U", "postgres");
        await server.AsServerUserAsync("pg_ctl", "-D", Path.Combine(folder, "data"), "-w", "-l", Path.Combine(folder, "log"),
            "-o", $"-p {port} -k {folder} -c listen_addresses=127.0.0.1", "start");
        return server;
    }

    public Task<string> PsqlAsync(string sql) => RunAsync("psql", "-h", "127.0.0.1", "-p", Port.ToString(), "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-c", sql);

    Task<string> AsServerUserAsync(params string[] command) =>
        Environment.UserName == "root" ? RunAsync("runuser", ["-u", "postgres", "--", .. command]) : RunAsync(command[0], command[1..]);

    static async Task<string> RunAsync(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {await output}{await error}");
        return await output;
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try { await AsServerUserAsync("pg_ctl", "-D", Path.Combine(folder, "data"), "-m", "immediate", "stop"); }
        catch (InvalidOperationException) { /* already stopped */ }
        Directory.Delete(folder, recursive: true);
    }
}
