using Microsoft.Extensions.DependencyInjection;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rehearsal;
using TwisterLab.KubeSim;

namespace TwisterLab.Cake.Tests.Chains;

/// <summary>
/// The fault matrix and the bad-input check of the chains: a chain, a step, and a kind of fault — the step fails after
/// its work ("step"), or the Kubernetes API fails for longer than the retries when the step starts ("api") — and then
/// the world must be as it was. An Arrange may start servers or run earlier chains and returns the arguments; a Then
/// checks what the world snapshot does not see (volume claims, nodes, a second server).
/// </summary>
public static class ChainChecks
{
    /// <summary>
    /// The fault matrix without the API faults at steps that make no Kubernetes call (a backup, a database check):
    /// there the fault could only meet the next step, which has its own row.
    /// </summary>
    public static TheoryData<string, string> Matrix(string[] steps, params string[] withoutKubernetesCalls)
    {
        var data = new TheoryData<string, string>();
        foreach (var step in steps)
        {
            data.Add(step, "step");
            if (!withoutKubernetesCalls.Contains(step))
            {
                data.Add(step, "api");
            }
        }

        return data;
    }

    /// <param name="given">Runs that bring the world to where the chain starts (e.g. a backup, a blue-green deploy).</param>
    public static Task AssertWorldRestoredAsync(string chain, string step, string kind, string[] arguments, params string[][] given) =>
        AssertWorldRestoredAsync(chain, step, kind, databaseInCluster: false, arguments, given);

    /// <param name="databaseInCluster">Run without --database-url: backups and restores go through exec in the postgres pod.</param>
    public static Task AssertWorldRestoredAsync(string chain, string step, string kind, bool databaseInCluster, string[] arguments, params string[][] given) =>
        AssertWorldRestoredAsync(chain, step, kind, rehearsal =>
        {
            rehearsal.DatabaseInCluster = databaseInCluster;
            foreach (var run in given)
            {
                Assert.Equal(ExitCodes.Success, rehearsal.Run(run[0], run[1..]));
            }

            return Task.FromResult(arguments);
        });

    /// <param name="options">The rehearsal to start (default: v1 deployed).</param>
    public static async Task AssertWorldRestoredAsync(
        string chain, string step, string kind, Func<Rehearsal, Task<string[]>> arrange, Func<Rehearsal, Task>? alsoRestored = null, RehearsalOptions? options = null)
    {
        await using var rehearsal = await (options is null ? Rehearsal.StartAsync() : Rehearsal.StartAsync(options));
        var arguments = await arrange(rehearsal);
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
            Assert.True(kind == "api", $"{chain} succeeded although {step} was made to fail");
            return;
        }

        Assert.True(ExitCodes.Failed == exitCode, $"{chain} with a {kind} fault at {step} exited {exitCode} ({rehearsal.Outcome()}):\n{string.Join("\n", rehearsal.LatestLog().TakeLast(40))}");
        Assert.True(before.Differences(after).Count == 0, $"{chain}, {kind} fault at {step}, not restored:\n{string.Join("\n", before.Differences(after))}");
        if (alsoRestored is not null)
        {
            await alsoRestored(rehearsal);
        }
    }

    /// <summary>
    /// Runs the chain expecting a refusal: exit 2, an "error:" line naming the reason (containing
    /// <paramref name="expected"/>), and no change. Only this run's lines are captured (<see cref="ConsoleErrorCapture"/>);
    /// the line is looked for, not counted (BadInputTests pins the one-line form).
    /// </summary>
    public static async Task AssertRefusedAsync(Rehearsal rehearsal, string chain, string expected, params string[] arguments)
    {
        var before = await rehearsal.SnapshotAsync();
        var error = new StringWriter();
        int exitCode;
        using (ConsoleErrorCapture.Into(error))
        {
            exitCode = rehearsal.Run(chain, arguments);
        }

        Assert.True(exitCode == ExitCodes.BadInput, $"exit {exitCode}:\n{error}");
        Assert.Contains(error.ToString().Split('\n'), line => line.StartsWith("error:", StringComparison.Ordinal) && line.Contains(expected, StringComparison.Ordinal));
        Assert.Empty(before.Differences(await rehearsal.SnapshotAsync()));
    }
}
