using TwisterLab.Cake.Steps.Test;

namespace TwisterLab.Cake.Tests;

/// <summary>
/// The summary printed after the test run reads TRX files as dotnet test's logger writes them (the shape below is cut
/// from a real CI run's file): a failure in any project is named with its message and the test line that failed.
/// </summary>
public sealed class TestResultsTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("twisterlab-trx-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Counts_failures_with_their_message_and_line_and_the_slowest_tests_per_project()
    {
        File.WriteAllText(Path.Combine(_folder, "b.trx"), Trx("TwisterLab.Data.Tests",
            Result("Data.Restores", "00:00:02.5000000", "Passed"),
            Result("Data.Skipped", "00:00:00", "NotExecuted", "set TWISTERLAB_TEST_KUBECONTEXT")));
        File.WriteAllText(Path.Combine(_folder, "a.trx"), Trx("TwisterLab.Cake.Tests",
            Result("Cake.Fast", "00:00:00.0100000", "Passed"),
            Result("Cake.Broken", "00:03:05.3538286", "Failed", "Assert.Equal() Failure: Values differ\nExpected: 0\nActual:   2\n",
                "   at Cake.Broken() in /tmp/clone/tests/TwisterLab.Cake.Tests/SandboxTests.cs:line 36\n   at System.Threading.Tasks.Task.Wait()"),
            Result("Cake.Middle", "00:00:40", "Passed")));

        var results = TestResults.Read(_folder, slowest: 2);

        Assert.True(results.AnyFailed);
        Assert.Equal(["TwisterLab.Cake.Tests", "TwisterLab.Data.Tests"], results.Projects.Select(p => p.Name));
        var cake = results.Projects[0];
        Assert.Equal((3, 2, 1, 0), (cake.Total, cake.Passed, cake.Failed, cake.Skipped));
        Assert.Equal(TimeSpan.FromSeconds(41), cake.Duration);
        Assert.Equal(("Cake.Broken", "Assert.Equal() Failure: Values differ\nExpected: 0\nActual:   2", "SandboxTests.cs:line 36"),
            (cake.Failures.Single().Name, cake.Failures.Single().Message, cake.Failures.Single().Where));
        Assert.Equal(["Cake.Broken", "Cake.Middle"], cake.Slowest.Select(c => c.Name));
        Assert.Equal((2, 1, 0, 1), (results.Projects[1].Total, results.Projects[1].Passed, results.Projects[1].Failed, results.Projects[1].Skipped));
    }

    [Fact]
    public void A_long_message_keeps_its_first_line_and_its_last_ones()
    {
        var output = string.Join("\n", Enumerable.Range(1, 40).Select(line => $"output line {line}"));
        File.WriteAllText(Path.Combine(_folder, "a.trx"), Trx("TwisterLab.Cake.Tests", Result("Cake.Build", "00:00:01", "Failed", output)));

        var lines = TestResults.Read(_folder).Projects.Single().Failures.Single().Message!.Split('\n');

        Assert.Equal(["output line 1", "… 28 lines …", .. Enumerable.Range(30, 11).Select(line => $"output line {line}")], lines);
    }

    [Fact]
    public void No_results_folder_reads_as_no_projects_and_no_failure()
    {
        var results = TestResults.Read(Path.Combine(_folder, "never-written"));

        Assert.Empty(results.Projects);
        Assert.False(results.AnyFailed);
    }

    private static string Trx(string assembly, params string[] results) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <TestRun id="f02507cd-eaad-4645-baf0-d1367cf8bcfd" name="@vm" xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
          <Times creation="2026-12-02T18:48:14.6536301+00:00" start="2026-12-02T18:48:10.5+00:00" finish="2026-12-02T18:48:51.5+00:00" />
          <Results>
        {string.Join("\n", results)}
          </Results>
          <TestDefinitions>
            <UnitTest name="x" storage="/tmp/clone/tests/{assembly.ToLowerInvariant()}/bin/release/net10.0/{assembly.ToLowerInvariant()}.dll" id="834a2823-e000-0000-0000-000000000000">
              <TestMethod codeBase="/tmp/clone/tests/{assembly}/bin/Release/net10.0/{assembly}.dll" adapterTypeName="executor://xunit/VsTestRunner3/netcore/" className="x" name="x" />
            </UnitTest>
          </TestDefinitions>
        </TestRun>
        """;

    private static string Result(string name, string duration, string outcome, string? message = null, string? stackTrace = null) =>
        $"""<UnitTestResult testName="{name}" computerName="vm" duration="{duration}" outcome="{outcome}">"""
        + (message is null ? "" : $"<Output><ErrorInfo><Message>{message}</Message><StackTrace>{stackTrace ?? $"   at {name}()"}</StackTrace></ErrorInfo></Output>")
        + "</UnitTestResult>";
}
