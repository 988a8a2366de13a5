using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rehearsal;

namespace TwisterLab.Cake.Tests.Chains;

/// <summary>
/// Given: a fresh rehearsal (simulated cluster, real PostgreSQL and Redis, stand-in API) with v1 deployed.
/// When: a chain runs in-process through the real host, as a pipeline would call it.
/// Then: the tests compare the world before and after, and read the run's report.
/// </summary>
public sealed class Rehearsal : IAsyncDisposable
{
    private Rehearsal(RehearsalEnvironment environment) => Environment = environment;

    public RehearsalEnvironment Environment { get; }

    public string WorkingDirectory { get; } = Directory.CreateTempSubdirectory("twisterlab-chain-").FullName;

    public static async Task<Rehearsal> StartAsync(params string[] faultyVersions) =>
        await StartAsync(new RehearsalOptions(RepositoryRoot.Path) { FaultyVersions = faultyVersions.ToHashSet() });

    public static async Task<Rehearsal> StartAsync(RehearsalOptions options) => new(await RehearsalEnvironment.StartAsync(options));

    /// <summary>
    /// When true, runs get no --database-url: backups and restores go through exec into the postgres pod (the guide's
    /// way), as for an operator with no route to the database. The world snapshot still reads the database directly.
    /// </summary>
    public bool DatabaseInCluster { get; set; }

    /// <summary>Puts the project's environments/ profiles into the run's working directory, for runs that name one.</summary>
    public void UseProjectProfiles()
    {
        var folder = Directory.CreateDirectory(Path.Combine(WorkingDirectory, "environments")).FullName;
        foreach (var profile in Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "environments"), "*.json"))
        {
            File.Copy(profile, Path.Combine(folder, Path.GetFileName(profile)), overwrite: true);
        }
    }

    public Task<WorldSnapshot> SnapshotAsync() => WorldSnapshot.TakeAsync(Environment.Gateway, Environment.Database);

    public int Run(string target, params string[] arguments) => Run(target, arguments, configure: null);

    public int Run(string target, IEnumerable<string> arguments, Action<IServiceCollection>? configure)
    {
        return new CakeHost()
            .UseTwisterLab()
            .ConfigureServices(configure ?? (_ => { }))
            .Run([$"--target={target}", .. arguments, .. RunArguments, $"--working={WorkingDirectory}", "--confirm"]);
    }

    private IEnumerable<string> RunArguments => DatabaseInCluster
        ? Environment.Arguments.Where(argument => !argument.StartsWith("--database-url=", StringComparison.Ordinal))
        : Environment.Arguments;

    /// <summary>Runs and asserts the exit code; a wrong one fails with the run's log and error, so a rare failure explains itself.</summary>
    public void RunExpecting(int exitCode, string target, params string[] arguments)
    {
        var actual = Run(target, arguments);
        Assert.True(actual == exitCode, $"{target} exited {actual}, not {exitCode}:\n{string.Join("\n", LatestLog().TakeLast(40))}");
    }

    public JsonElement LatestReport() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(LatestRunFolder(), "report.json"))).RootElement;

    /// <summary>The newest run folder, real or rehearsal (--environment=rehearsal keeps its runs in .twisterlab/rehearsal/runs); ids sort by time.</summary>
    public string LatestRunFolder() =>
        new[] { Path.Combine(WorkingDirectory, ".twisterlab", "runs"), Path.Combine(WorkingDirectory, ".twisterlab", "rehearsal", "runs") }
            .Where(Directory.Exists).SelectMany(Directory.GetDirectories).OrderBy(Path.GetFileName, StringComparer.Ordinal).Last();

    /// <summary>The latest run's log (redacted), as written to log.txt beside its report.</summary>
    public IReadOnlyList<string> LatestLog() => File.ReadAllLines(Path.Combine(LatestRunFolder(), "log.txt"));

    public IEnumerable<string> LatestNotes() => LatestReport().GetProperty("notes").EnumerateArray().Select(note => note.GetString()!);

    public string Outcome() => LatestReport().GetProperty("outcome").GetString()!;

    public async ValueTask DisposeAsync()
    {
        await Environment.DisposeAsync();
        Directory.Delete(WorkingDirectory, recursive: true);
    }
}

/// <summary>Arms an action when a given step starts (e.g. an API fault in the simulator at that point).</summary>
public sealed class AtStep(string step, Action action) : IFrostingTaskSetup
{
    public void Setup(ICakeContext context, ITaskSetupContext info)
    {
        if (info.Task.Name == step)
        {
            action();
        }
    }
}
