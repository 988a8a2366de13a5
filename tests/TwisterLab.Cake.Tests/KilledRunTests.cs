using System.Diagnostics;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests;

/// <summary>A run killed mid-chain leaves a journal that Rollback completes; a SIGTERM rolls back by itself.</summary>
[Collection(HostCollection.Name)]
public sealed class KilledRunTests
{
    [Fact]
    public async Task A_run_killed_with_SIGKILL_is_completed_by_Rollback_and_a_second_Rollback_changes_nothing()
    {
        using var world = new DemoWorld();
        using var process = world.Start("--target=DemoChain", "--hang-at=WriteC");
        await WaitForLine(process, "hanging at WriteC");

        process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        Assert.Equal(["WriteA.txt", "WriteB.txt", "WriteC.txt"], world.Snapshot().Keys);

        Assert.Equal(ExitCodes.Success, world.Run("--target=Rollback", "--run=latest"));
        Assert.Empty(world.Snapshot());
        Assert.Equal(["WriteC.txt", "WriteB.txt", "WriteA.txt"], world.UndoLog());

        Assert.Equal(ExitCodes.Success, world.Run("--target=Rollback", "--run=latest"));
        Assert.Equal(3, world.UndoLog().Count);
    }

    [Fact]
    public async Task A_run_stopped_with_SIGTERM_rolls_itself_back()
    {
        using var world = new DemoWorld();
        using var process = world.Start("--target=DemoChain", "--hang-at=WriteB");
        await WaitForLine(process, "hanging at WriteB");

        Process.Start("kill", ["-TERM", process.Id.ToString()])!.WaitForExit();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(ExitCodes.Failed, process.ExitCode);
        Assert.Empty(world.Snapshot());
        Assert.Equal(["WriteB.txt", "WriteA.txt"], world.UndoLog());
        Assert.Contains(world.LatestReport().GetProperty("notes").EnumerateArray(), note => note.GetString()!.Contains("SIGTERM"));
    }

    internal static async Task WaitForLine(Process process, string expected)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Contains(expected))
            {
                // Keep draining, so a full pipe never blocks the host.
                _ = process.StandardOutput.ReadToEndAsync();
                _ = process.StandardError.ReadToEndAsync();
                return;
            }
        }

        throw new InvalidOperationException($"the host ended without printing '{expected}': {await process.StandardError.ReadToEndAsync()}");
    }
}
