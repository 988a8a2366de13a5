using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rehearsal;

namespace TwisterLab.Cake.Steps.Rehearsal;

/// <summary>
/// Runs every scenario of the rehearsal (<see cref="RehearsalScenarios"/>) on the embedded world and prints one table
/// row per scenario with two verdicts, exit and world; any row not as expected fails the run.
/// </summary>
[TaskDescription("Every target of the guide on one embedded world (simulator, real PostgreSQL and Redis), each judged by its exit code and the world it leaves.")]
public sealed class RehearseEveryTarget : AsyncFrostingTask<DeployContext>
{
    public override async Task RunAsync(DeployContext context)
    {
        if (context.Settings.IsKind)
        {
            throw new BadInputException("--cluster=kind is not available for Rehearse: a kind rehearsal needs the TwisterLab images, which this tool does not build; run ./build.sh --target=Rehearse for the embedded world.");
        }

        var root = context.Environment.WorkingDirectory.FullPath;
        var results = await RehearsalEngine.RunAsync(
            new RehearsalRunOptions(root, root) { Log = line => context.Log.Information("{0}", line), ArgumentVariables = [.. ArgumentSources.EnvironmentNames()] }, RehearsalScenarios.All(), context.CancellationToken);
        var table = RehearsalEngine.Table(results);
        context.Log.Information("Rehearsal summary:\n{0}", table);
        context.Notes.Add("Rehearsal summary:\n\n" + table);
        foreach (var watched in results.Where(result => result.WatchLine is not null))
        {
            context.Log.Information("{0}: {1}", watched.Scenario.Name, watched.WatchLine!);
            context.Notes.Add($"{watched.Scenario.Name}: {watched.WatchLine}");
        }
        if (results.Where(result => !result.AsExpected).ToList() is { Count: > 0 } wrong)
        {
            throw new InvalidOperationException($"Rehearsal: {string.Join(", ", wrong.Select(result => result.Scenario.Name))} did not end as expected.");
        }
    }
}
