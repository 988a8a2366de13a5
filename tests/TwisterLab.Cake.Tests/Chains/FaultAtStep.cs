using Microsoft.Extensions.DependencyInjection;
using TwisterLab.Cake.Hosting;
using TwisterLab.KubeSim;

namespace TwisterLab.Cake.Tests.Chains;

/// <summary>
/// The fault matrix: a chain, a step, and a kind of fault — the step fails after its work ("step"), or the
/// Kubernetes API fails for longer than the retries when the step starts ("api"). Then the world must be as it was.
/// </summary>
public static class FaultAtStep
{
    public static TheoryData<string, string> Matrix(params string[] steps)
    {
        var data = new TheoryData<string, string>();
        foreach (var step in steps)
        {
            data.Add(step, "step");
            data.Add(step, "api");
        }

        return data;
    }

    /// <param name="given">Runs that bring the world to where the chain starts (e.g. a backup, a blue-green deploy).</param>
    public static async Task AssertWorldRestoredAsync(string chain, string step, string kind, string[] arguments, params string[][] given)
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        foreach (var run in given)
        {
            Assert.Equal(ExitCodes.Success, rehearsal.Run(run[0], run[1..]));
        }

        var faults = rehearsal.Environment.Cluster.Faults;
        var before = await rehearsal.SnapshotAsync();

        var exitCode = rehearsal.Run(chain, [.. arguments, .. kind == "step" ? [$"--inject-failure={step}"] : Array.Empty<string>()], services =>
        {
            if (kind == "api")
            {
                // Eight 500s in a row outlast the five retries; the calls after them (the rollback's) succeed.
                services.AddSingleton<IFrostingTaskSetup>(new AtStep(step, () => faults.FailRequest("*", "/api*", RequestFault.InternalError, nth: 1, times: 8)));
            }
        });

        faults.ClearRequestFaults(); // what the run did not consume must not fail the snapshot
        var after = await rehearsal.SnapshotAsync();
        if (exitCode == ExitCodes.Success)
        {
            // A step that makes no Kubernetes call (backup, health, monitor) does not meet an API fault.
            Assert.True(kind == "api", $"{chain} succeeded although {step} was made to fail");
            return;
        }

        Assert.True(ExitCodes.Failed == exitCode, $"{chain} with a {kind} fault at {step} exited {exitCode} ({rehearsal.Outcome()})");
        Assert.True(before.Differences(after).Count == 0, $"{chain}, {kind} fault at {step}, not restored:\n{string.Join("\n", before.Differences(after))}");
    }
}
