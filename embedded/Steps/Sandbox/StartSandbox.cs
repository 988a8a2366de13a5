using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rehearsal;

namespace TwisterLab.Cake.Steps.Sandbox;

/// <summary>
/// Starts the embedded world in the background (or finds the one running) and prints, one per line, the arguments
/// that point a chain at it, then the database and Redis addresses (masked; the full ones in a 0600 file).
/// </summary>
[TaskDescription("Starts the embedded world in the background (survives the terminal) and prints the --arguments that run any chain against it.")]
public sealed class StartSandbox : AsyncFrostingTask<DeployContext>
{
    public override async Task RunAsync(DeployContext context)
    {
        if (context.Settings.IsKind)
        {
            StartKind(context);
            return;
        }

        var working = context.Environment.WorkingDirectory.FullPath;
        var folder = RehearsalPaths.Sandbox(working);
        if (SandboxState.Read(folder) is { } running && SandboxState.IsAlive(running.Pid))
        {
            Print(context, running, $"A sandbox is already running (PID {running.Pid}). Run any chain against it with:");
            return;
        }

        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);  // a sandbox that died: its servers died with it (watchdog)
        }

        var state = await SandboxProcess.StartAsync(working, Path.Combine(AppContext.BaseDirectory, "twisterlab-build.dll"), context.CancellationToken);
        Print(context, state, $"Sandbox running (PID {state.Pid}). Run any chain against it with:");
    }

    /// <summary>--cluster=kind: the kind cluster is the sandbox (created when missing; Docker and kind were checked at start).</summary>
    private static void StartKind(DeployContext context)
    {
        var name = KindCluster.Name(context.Settings.ClusterKind!);
        var existed = KindCluster.Exists(name);
        if (!existed)
        {
            context.Log.Information("kind create cluster --name {0}", name);
            KindCluster.Create(name);
        }

        context.Log.Information(existed ? $"The kind cluster '{name}' is running. Run any chain against it with:" : $"Created the kind cluster '{name}'. Run any chain against it with:");
        Console.Out.WriteLine($"--context={KindCluster.Context(name)}");
        Console.Out.WriteLine("--environment=sandbox");
        Console.Out.WriteLine($"Load the TwisterLab images first (kind load docker-image <image> --name {name}); stop it with: kind delete cluster --name {name}");
    }

    private static void Print(DeployContext context, SandboxState state, string headline)
    {
        var folder = RehearsalPaths.Sandbox(context.Environment.WorkingDirectory.FullPath);
        context.Log.Information(headline);
        foreach (var argument in state.Arguments)
        {
            Console.Out.WriteLine(argument);
        }

        Console.Out.WriteLine($"Database: {state.DatabaseUrlMasked}   Redis: {state.RedisUrlMasked}   (full URLs in {SandboxState.SecretsFile(folder)}, mode 0600)");
        Console.Out.WriteLine("Stop it with: ./build.sh --target=SandboxDown");
        context.Notes.Add($"Sandbox (PID {state.Pid}): {string.Join(" ", state.Arguments)}");
    }
}
