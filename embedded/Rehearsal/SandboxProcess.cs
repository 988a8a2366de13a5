using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace TwisterLab.Cake.Rehearsal;

/// <summary>What a running sandbox left in its folder: who serves it, what it started, how to reach it.</summary>
public sealed record SandboxState(int Pid, IReadOnlyList<int> Servers, string Kubeconfig, string Context, string ApiUrl, string DatabaseUrlMasked, string RedisUrlMasked)
{
    private const string FileName = "sandbox.json";

    /// <summary>The arguments that point a chain at the sandbox, one per line, each starting with --.</summary>
    public IReadOnlyList<string> Arguments => [$"--kubeconfig={Kubeconfig}", $"--context={Context}", $"--api-url={ApiUrl}", "--environment=sandbox"];

    public static SandboxState? Read(string folder)
    {
        var path = Path.Combine(folder, FileName);
        return File.Exists(path) ? JsonSerializer.Deserialize<SandboxState>(File.ReadAllText(path)) : null;
    }

    /// <summary>
    /// Written whole, then renamed into place: SandboxUp polls for this file, and a reader that found it created but not
    /// yet written would fail on an empty document.
    /// </summary>
    public void Write(string folder)
    {
        var path = Path.Combine(folder, FileName);
        File.WriteAllText(path + ".partial", JsonSerializer.Serialize(this));
        File.Move(path + ".partial", path, overwrite: true);
    }

    /// <summary>The 0600 file with the full database and Redis URLs (the console shows them masked).</summary>
    public static string SecretsFile(string folder) => Path.Combine(folder, "urls.env");

    public static bool IsAlive(int pid) => File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Split(") ")[^1].StartsWith('Z');
}

/// <summary>
/// The sandbox: the embedded world served by a host process of its own, in its own session (it outlives the terminal
/// and the SandboxUp run), until SandboxDown sends it SIGTERM. Its throwaway servers run under the watchdog that
/// stops them when this process dies, even by SIGKILL.
/// </summary>
public static class SandboxProcess
{
    /// <summary>The entry point's switch for the serving process (not a target: SandboxUp starts it).</summary>
    public const string ServeArgument = "--sandbox-serve";

    public static async Task<int> ServeAsync(string workingDirectory)
    {
        var folder = Directory.CreateDirectory(RehearsalPaths.Sandbox(workingDirectory)).FullName;
        using var stop = new CancellationTokenSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
        await using (var world = await RehearsalEnvironment.StartAsync(new RehearsalOptions(workingDirectory) { Https = true }, stop.Token))
        {
            var database = $"postgresql://twisterlab:{{0}}@127.0.0.1:{world.Postgres.Port}/twisterlab";
            var redis = $"redis://:{{0}}@127.0.0.1:{world.Redis.Port}";
            var secrets = SandboxState.SecretsFile(folder);
            File.WriteAllText(secrets, "");
            File.SetUnixFileMode(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.WriteAllText(secrets, $"DATABASE_URL={string.Format(database, Uri.EscapeDataString(world.Postgres.Password))}\nREDIS_URL={(world.Redis.Password is { } password ? string.Format(redis, Uri.EscapeDataString(password)) : $"redis://127.0.0.1:{world.Redis.Port}")}\n");
            new SandboxState(Environment.ProcessId, [world.Postgres.ProcessId, world.Redis.ProcessId], world.Cluster.KubeconfigPath, KubeSim.SimulatedCluster.ContextName,
                world.Api.BaseUrl, string.Format(database, "***"), world.Redis.Password is null ? $"redis://127.0.0.1:{world.Redis.Port}" : string.Format(redis, "***")).Write(folder);
            Console.WriteLine("Sandbox ready.");
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine("Sandbox stopping.");
            }
        }

        Directory.Delete(folder, recursive: true);
        return 0;
    }

    /// <summary>Starts the serving process in a session of its own and waits until it says how to reach it.</summary>
    public static async Task<SandboxState> StartAsync(string workingDirectory, string hostAssembly, CancellationToken cancellationToken)
    {
        var folder = Directory.CreateDirectory(RehearsalPaths.Sandbox(workingDirectory)).FullName;
        var log = Path.Combine(folder, "sandbox.log");
        // sh puts it in the background with its output in a file and no terminal, setsid in a session of its own:
        // closing the terminal (SIGHUP to its session) or the end of SandboxUp does not reach it.
        var start = new ProcessStartInfo("sh")
        {
            ArgumentList = { "-c", "setsid dotnet \"$1\" \"$2\" >\"$3\" 2>&1 </dev/null &", "sandbox", hostAssembly, $"{ServeArgument}={workingDirectory}", log },
            WorkingDirectory = workingDirectory,
        };
        using (var shell = Process.Start(start)!)
        {
            await shell.WaitForExitAsync(cancellationToken);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromMinutes(3));
        while (SandboxState.Read(folder) is not { } state)
        {
            if (File.Exists(log) && File.ReadAllText(log).Contains("Unhandled exception", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"The sandbox did not start: see {log}.");
            }

            await Task.Delay(200, limit.Token);
        }

        return SandboxState.Read(folder)!;
    }

    /// <summary>SIGTERM to the serving process (it stops the world), then SIGKILL to whatever it started that is left.</summary>
    public static async Task<IReadOnlyList<int>> StopAsync(SandboxState state, CancellationToken cancellationToken)
    {
        Signal(state.Pid, "TERM");
        for (var waited = 0; waited < 300 && SandboxState.IsAlive(state.Pid); waited++)
        {
            await Task.Delay(100, cancellationToken);
        }

        var killed = new List<int>();
        foreach (var pid in state.Servers.Prepend(state.Pid).Where(SandboxState.IsAlive))
        {
            Signal(pid, "KILL");
            killed.Add(pid);
        }

        return killed;
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", [$"-{signal}", pid.ToString()]) { RedirectStandardError = true })!;
        kill.WaitForExit();
    }
}
