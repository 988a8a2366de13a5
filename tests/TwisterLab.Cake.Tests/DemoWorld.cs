using System.Diagnostics;
using System.Text.Json;
using TwisterLab.Cake.DemoHost;

namespace TwisterLab.Cake.Tests;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostCollection
{
    public const string Name = "in-process host";
}


/// <summary>
/// A temporary working directory with a "world" folder that the demo steps change. Runs the real host
/// in-process (or as a process, for signals) and reads back the world, the undo log and the report.
/// Tests that read the console are in one collection that runs alone, after the parallel ones.
/// </summary>
public sealed class DemoWorld : IDisposable
{
    public static readonly string[] Steps = ["WriteA", "WriteB", "WriteC", "WriteD", "WriteE"];

    public DemoWorld()
    {
        Directory.CreateDirectory(WorldFolder);
    }

    public string Root { get; } = Directory.CreateTempSubdirectory("twisterlab-demo-").FullName;

    public string WorldFolder => Path.Combine(Root, "world");

    public string RunsFolder => Path.Combine(Root, ".twisterlab", "runs");

    public int Run(params string[] args) => Demo.Run([.. args, .. CommonArguments()]);

    public string[] CommonArguments() => [$"--working={Root}", $"--world={WorldFolder}", "--confirm"];

    /// <summary>Each file of the world and its content: what "the world is as it was" compares.</summary>
    public SortedDictionary<string, string> Snapshot() =>
        new(Directory.GetFiles(WorldFolder)
            .Where(path => Path.GetFileName(path) is not ("undo.log" or "handlers.log"))
            .ToDictionary(path => Path.GetFileName(path), File.ReadAllText), StringComparer.Ordinal);

    public IReadOnlyList<string> UndoLog() => ReadLines("undo.log");

    public IReadOnlyList<string> HandlerLog() => ReadLines("handlers.log");

    public IReadOnlyList<string> RunIds() =>
        Directory.Exists(RunsFolder) ? Directory.GetDirectories(RunsFolder).Select(Path.GetFileName).OfType<string>().Order().ToList() : [];

    public JsonElement Report(string runId) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(RunsFolder, runId, "report.json"))).RootElement;

    public JsonElement LatestReport() => Report(RunIds()[^1]);

    /// <summary>Starts the demo host as its own process (for SIGKILL and SIGTERM).</summary>
    public Process Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    /// <summary>The same with <paramref name="environment"/> set in the process alone (CI variables a parallel test must not see).</summary>
    public Process Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var host = Path.Combine(AppContext.BaseDirectory, "TwisterLab.Cake.DemoHost.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        foreach (var argument in new[] { host }.Concat(args).Concat(CommonArguments()))
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    private IReadOnlyList<string> ReadLines(string name)
    {
        var path = Path.Combine(WorldFolder, name);
        return File.Exists(path) ? File.ReadAllLines(path) : [];
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
