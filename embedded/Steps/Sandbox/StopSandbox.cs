using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rehearsal;

namespace TwisterLab.Cake.Steps.Sandbox;

/// <summary>Stops the sandbox by the PIDs it recorded: its serving process, then anything it started that is left.</summary>
[TaskDescription("Stops the sandbox SandboxUp started: every process it recorded, by PID.")]
public sealed class StopSandbox : AsyncFrostingTask<DeployContext>
{
    public override async Task RunAsync(DeployContext context)
    {
        var folder = RehearsalPaths.Sandbox(context.Environment.WorkingDirectory.FullPath);
        if (SandboxState.Read(folder) is not { } state)
        {
            context.Log.Information("No sandbox is running.");
            return;
        }

        var killed = await SandboxProcess.StopAsync(state, context.CancellationToken);
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }

        context.Log.Information("Sandbox stopped (PID {0}{1}).", state.Pid, killed.Count > 0 ? $"; killed what had not stopped: {string.Join(", ", killed)}" : "");
    }
}
