using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests;

[Collection(HostCollection.Name)]
public sealed class RunReportTests
{
    [Fact]
    public void A_failed_run_writes_json_and_markdown_with_steps_compensations_and_a_timeline()
    {
        using var world = new DemoWorld();

        Assert.Equal(ExitCodes.Failed, world.Run("--target=DemoChain", "--fail-at=WriteC"));

        var runId = world.RunIds().Single();
        var report = world.Report(runId);
        Assert.Equal("DemoChain", report.GetProperty("target").GetString());
        Assert.Equal(1, report.GetProperty("exitCode").GetInt32());
        Assert.Equal(["WriteA", "WriteB", "WriteC"], report.GetProperty("steps").EnumerateArray().Select(step => step.GetProperty("name").GetString()));
        var markdown = File.ReadAllText(Path.Combine(world.RunsFolder, runId, "report.md"));
        Assert.Contains("```mermaid\ngantt", markdown.ReplaceLineEndings("\n"));
        Assert.Contains("WriteC :crit, s3,", markdown);
        Assert.Contains("| 3 | WriteC | `rm ", markdown);
    }

    [Fact]
    public async Task Under_GitHub_Actions_the_report_is_appended_to_the_step_summary()
    {
        using var world = new DemoWorld();
        var summary = Path.Combine(world.Root, "summary.md");
        // Its own process: GITHUB_ACTIONS set in this one would reach the runs other tests make meanwhile.
        using var process = world.Start(new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true", ["GITHUB_OUTPUT"] = Path.Combine(world.Root, "outputs"), ["GITHUB_STEP_SUMMARY"] = summary }, "--target=DemoChain");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await errors;
        Assert.True(process.ExitCode == ExitCodes.Success, await output);

        Assert.StartsWith("# DemoChain — Succeeded (exit 0)", File.ReadAllText(summary));
    }
}
