using System.Diagnostics;
using System.Text.Json;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests;

/// <summary>
/// examples/extending, built with this suite (a ProjectReference that is not referenced as an assembly) and run as
/// its own process, as a user runs their host: its step sits in RollingUpgrade between ApplyMigrations and SetImage,
/// its argument is accepted, and when the run fails after it, its own compensation undoes its change.
/// </summary>
public sealed class ExtendingExampleTests : IDisposable
{
    private readonly string _working = Directory.CreateTempSubdirectory("twisterlab-extending-").FullName;

    public ExtendingExampleTests()
    {
        foreach (var folder in new[] { "k8s", "rehearsal", "environments" })
        {
            Directory.CreateSymbolicLink(Path.Combine(_working, folder), Path.Combine(RepositoryRoot.Path, folder));
        }
    }

    [Fact]
    public async Task The_custom_step_runs_inside_RollingUpgrade_and_its_compensation_undoes_it_on_the_embedded_cluster()
    {
        var (exitCode, plan) = await RunAsync("--target=RollingUpgrade", "--image-tag=v2.0", "--dryrun", "--cluster=embedded", "--release-note=Ticket priorities");
        Assert.True(exitCode == ExitCodes.Success, plan);
        var steps = new[] { "ApplyMigrations", "AnnotateChangeCause", "SetImage" }.Select(step => plan.IndexOf($". {step}", StringComparison.Ordinal)).ToList();
        Assert.True(steps.All(index => index >= 0) && steps.SequenceEqual(steps.Order()), plan);
        Assert.Contains("kubectl annotate deployment/twisterlab-api 'kubernetes.io/change-cause=Ticket priorities' --overwrite -n twisterlab", plan);

        // A real run on the embedded world that fails after SetImage: the rollback replays the journal, the custom undo included.
        (exitCode, var output) = await RunAsync("--target=RollingUpgrade", "--image-tag=v2.0", "--cluster=embedded", "--release-note=Ticket priorities", "--inject-failure=SetImage", "--migrations-reversible");
        Assert.True(exitCode == ExitCodes.Failed, output);
        Assert.Contains("twisterlab-api: kubernetes.io/change-cause=Ticket priorities", output);
        var journal = Directory.GetFiles(Path.Combine(_working, ".twisterlab", "rehearsal", "runs"), "journal.json", SearchOption.AllDirectories).Single();
        var entries = JsonDocument.Parse(File.ReadAllText(journal)).RootElement.GetProperty("entries").EnumerateArray()
            .Select(entry => (Kind: entry.GetProperty("kind").GetString(), Status: entry.GetProperty("status").ToString())).ToList();
        Assert.Contains(("RestoreChangeCause", "applied"), entries);
        Assert.All(entries, entry => Assert.Equal("applied", entry.Status));
    }

    private async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        // The example's build output beside this suite's (same configuration).
        var configuration = Path.GetFileName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)));
        var example = Path.Combine(RepositoryRoot.Path, "examples", "extending", "bin", configuration, "net10.0", "TwisterLab.Extending.dll");
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _working, RedirectStandardOutput = true, RedirectStandardError = true, ArgumentList = { example } };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return (process.ExitCode, await output + await error);
    }

    public void Dispose() => Directory.Delete(_working, recursive: true);
}
