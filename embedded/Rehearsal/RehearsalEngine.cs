using System.Diagnostics;
using System.Text;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Rehearsal;

/// <summary>Where a rehearsal runs: the checkout (k8s/, rehearsal/), the working directory its runs write to, the host to start for process scenarios.</summary>
public sealed record RehearsalRunOptions(string RepositoryRoot, string WorkingDirectory)
{
    /// <summary>The host's entry assembly, for scenarios that need a process of their own (kill, no terminal).</summary>
    public string HostAssembly { get; init; } = Path.Combine(AppContext.BaseDirectory, "twisterlab-build.dll");

    public Action<string> Log { get; init; } = _ => { };

    /// <summary>The environment variables a host reads as arguments (TWISTERLAB_*): kept from a scenario's process.</summary>
    public IReadOnlyList<string> ArgumentVariables { get; init; } = [];

    /// <summary>Where this rehearsal's backups go (set by the engine: one folder per rehearsal).</summary>
    public string BackupDirectory { get; init; } = "";
}

/// <summary>
/// Runs every scenario of <see cref="RehearsalScenarios"/>: one world, started once, each scenario from the world the
/// previous one left, judged twice — by its exit code and by the world it leaves (<see cref="WorldExpectation"/>).
/// A scenario that needs an empty namespace gets a world of its own.
/// </summary>
public static class RehearsalEngine
{
    public static async Task<IReadOnlyList<ScenarioResult>> RunAsync(RehearsalRunOptions options, IReadOnlyList<Scenario> scenarios, CancellationToken cancellationToken)
    {
        var results = new List<ScenarioResult>();
        var calls = new HashSet<KubeSim.ApiCall>();
        options = options with { BackupDirectory = RehearsalPaths.Backups(options.WorkingDirectory, Context.RunStore.NewRunId(DateTimeOffset.UtcNow)) };
        var shared = scenarios.Where(scenario => !scenario.EmptyNamespace).ToList();
        await using (var world = await RehearsalEnvironment.StartAsync(RehearsalScenarios.Options(options.RepositoryRoot), cancellationToken))
        {
            using var traffic = SyntheticTraffic.Start(world.Api.BaseUrl);
            var before = new Dictionary<string, WorldSnapshot>();
            foreach (var scenario in shared)
            {
                results.Add(await RunAsync(options, world, scenario, before, cancellationToken, traffic));
            }

            calls.UnionWith(world.ToolCalls);
        }

        foreach (var scenario in scenarios.Where(scenario => scenario.EmptyNamespace))
        {
            await using var empty = await RehearsalEnvironment.StartAsync(RehearsalScenarios.Options(options.RepositoryRoot) with { DeployVersionOne = false }, cancellationToken);
            results.Add(await RunAsync(options, empty, scenario, [], cancellationToken));
            calls.UnionWith(empty.ToolCalls);
        }

        WriteCalls(RehearsalPaths.ApiCalls(options.WorkingDirectory), calls);
        options.Log($"Rehearsal: the runs made {calls.Count} distinct kinds of API call, listed in {RehearsalPaths.ApiCalls(options.WorkingDirectory)}");
        return results;
    }

    private static async Task<ScenarioResult> RunAsync(
        RehearsalRunOptions options, RehearsalEnvironment world, Scenario scenario, Dictionary<string, WorldSnapshot> before, CancellationToken cancellationToken, SyntheticTraffic? traffic = null)
    {
        options.Log($"Rehearsal: {scenario.Name}");
        if (scenario.Arrange is { } arrange)
        {
            await arrange(world, cancellationToken);
        }

        var start = await SnapshotAsync(world, cancellationToken);
        before[scenario.Name] = start;
        var defaults = await TargetDefaults.ForAsync(scenario.Target, world, options.WorkingDirectory, cancellationToken);
        var arguments = EmbeddedWorld.Compose(
            [$"--target={scenario.Target}", .. scenario.Arguments],
            [.. world.Arguments, "--environment=rehearsal", $"--working={options.WorkingDirectory}", $"--backup-dir={options.BackupDirectory}", .. defaults]);
        await using var watch = scenario.Watch is { } startWatch ? await startWatch(world, traffic, cancellationToken) : null;
        var clock = Stopwatch.StartNew();
        int exitCode;
        try
        {
            exitCode = scenario.Run switch
            {
                ScenarioRun.InProcess => new CakeHost().UseTwisterLab().Run(arguments),
                ScenarioRun.Process => await HostProcess.RunAsync(options, arguments, cancellationToken),
                _ => await HostProcess.KillMidRunAsync(options, arguments, world, cancellationToken),
            };
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // A scenario the rehearsal could not drive (e.g. a killed run whose rollout never came, because an earlier
            // scenario left the world broken) is a row that is not as expected, never the end of the table.
            options.Log($"Rehearsal: {scenario.Name} could not run: {exception.Message}");
            exitCode = CouldNotRun;
        }

        var elapsed = clock.Elapsed;
        var watched = watch is null ? null : await watch.StopAsync(cancellationToken);
        if (watched is not null)
        {
            options.Log($"Rehearsal: {scenario.Name}: {watched.Line}");
        }

        var baseline = scenario.World.Baseline is { } name ? before[name] : start;
        var problems = scenario.World.Problems(baseline, await SnapshotAsync(world, cancellationToken));
        return new ScenarioResult(scenario, exitCode, [.. problems, .. watched?.Problems ?? []], elapsed) { WatchLine = watched?.Line };
    }

    /// <summary>
    /// The calls as tab-separated lines: verb, API group, resource, subresource, namespace ("" = cluster scope), or the
    /// verb and the path of a non-resource URL. Sorted, so two rehearsals compare line by line.
    /// </summary>
    public static void WriteCalls(string path, IEnumerable<KubeSim.ApiCall> calls)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var lines = calls.Select(call => call.Path is not null
                ? $"{call.Verb}\t\t\t\t\t{call.Path}"
                : $"{call.Verb}\t{call.Group}\t{call.Resource}\t{call.Subresource}\t{call.Namespace}")
            .Distinct().Order(StringComparer.Ordinal);
        File.WriteAllLines(path, lines);
    }

    /// <summary>The exit code a row shows when the rehearsal itself could not run the scenario to its end.</summary>
    public const int CouldNotRun = -1;

    private static Task<WorldSnapshot> SnapshotAsync(RehearsalEnvironment world, CancellationToken cancellationToken) =>
        WorldSnapshot.TakeAsync(world.Gateway, world.Database, world.Redis.Target, cancellationToken);

    /// <summary>One row per scenario: scenario, target, expected exit, exit, exit verdict, world verdict, time.</summary>
    public static string Table(IEnumerable<ScenarioResult> results)
    {
        var text = new StringBuilder("| scenario | target | expected exit | exit | exit | world | time |\n|---|---|---|---|---|---|---|\n");
        foreach (var result in results)
        {
            var exit = result.ExitAsExpected ? "as expected" : $"exit {result.ExitCode}, not {result.Scenario.ExpectedExitCode}";
            var world = result.WorldAsExpected ? "as expected" : Cell(string.Join("; ", result.WorldProblems.Take(3)) + (result.WorldProblems.Count > 3 ? $"; and {result.WorldProblems.Count - 3} more" : ""));
            text.Append($"| {Cell(result.Scenario.Name)} | {result.Scenario.Target} | {result.Scenario.ExpectedExitCode} | {result.ExitCode} | {exit} | {world} | {result.Duration.TotalSeconds:0.0} s |\n");
        }

        return text.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "/").Replace("\n", " ");
}
