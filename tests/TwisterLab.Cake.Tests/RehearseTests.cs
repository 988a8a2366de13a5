using System.Diagnostics;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rehearsal;
using TwisterLab.Cake.Rollback;

namespace TwisterLab.Cake.Tests;

/// <summary>
/// ./build.sh --target=Rehearse as a person runs it, with one compensation broken on purpose (the test-only switch
/// marks the rollout undo applied without applying it): the scenarios whose rollback needs it still exit as expected,
/// so only the world column can tell, and it must, and so must Rehearse's exit code. Every other row stays as expected.
/// The same run proves examples/in-cluster/rbac.yaml against the calls every chain made (api-calls.tsv): the broken
/// undo is never the only user of a verb, since UndoLastRollout (Rollback without --run) undoes for real.
/// </summary>
public sealed class RehearseTests
{
    [Fact]
    public async Task A_broken_compensation_fails_the_world_column_and_the_rehearsal()
    {
        var callsFile = Path.Combine(RepositoryRoot.Path, ".twisterlab", "rehearsal", "api-calls.tsv");
        if (File.Exists(callsFile)) File.Delete(callsFile);
        var start = new ProcessStartInfo(Path.Combine(RepositoryRoot.Path, "build.sh")) { ArgumentList = { "--target=Rehearse" } };
        start.Environment[CompensationRunner.BreakUndoVariable] = "UndoToRevision";
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(10));

        var rows = output.Split('\n').Where(line => line.StartsWith("| ") && line.TrimEnd().EndsWith(" s |")).Select(Cells).ToList();
        Assert.True(rows.Count >= 24, $"expected the rehearsal table, got:\n{output[^Math.Min(output.Length, 3000)..]}\n{await error}");
        var rolledBack = rows.Single(row => row[0] == RehearsalScenarios.RolledBack);
        Assert.Equal("as expected", rolledBack[4]);
        Assert.Contains("deployment/twisterlab-api", rolledBack[5]);
        Assert.Equal(ExitCodes.Failed, process.ExitCode);

        // The in-cluster Role grants what the chains of this rehearsal used, and nothing they did not.
        var calls = InCluster.RecordedCall.Read(callsFile);
        Assert.NotEmpty(calls);
        var rbac = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "examples", "in-cluster", "rbac.yaml"));
        var problems = InCluster.RoleCoverage.Problems(calls, rbac, "twisterlab");
        Assert.True(problems.Count == 0, string.Join("\n", problems));

        // The rows whose world does not hang on that undo (and do not follow one that did) read as expected.
        foreach (var row in rows.TakeWhile(row => row[0] != RehearsalScenarios.RolledBack).Where(row => row[1] != "Rollback"))
        {
            Assert.True(row[4] == "as expected" && row[5] == "as expected", string.Join(" | ", row));
        }
    }

    private static string[] Cells(string line) => line.Trim().Trim('|').Split('|').Select(cell => cell.Trim()).ToArray();
}
