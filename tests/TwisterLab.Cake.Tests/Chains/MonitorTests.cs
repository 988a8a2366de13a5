using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rehearsal;

namespace TwisterLab.Cake.Tests.Chains;

/// <summary>The Monitor target on the running version: the decision matrix's three outcomes, on real traffic.</summary>
public sealed class MonitorTests
{
    [Theory]
    [InlineData(1000, ExitCodes.Success, "succeeded")]  // 0.1 %: within the checklist
    [InlineData(40, ExitCodes.Degraded, "degraded")]    // 2.5 %: investigate, prepare rollback
    [InlineData(10, ExitCodes.Failed, "failed")]        // 10 %: immediate rollback (nothing to undo: Monitor changes nothing)
    public async Task Judges_the_running_version_by_the_decision_matrix(int failsOneIn, int exitCode, string outcome)
    {
        await using var rehearsal = await Rehearsal.StartAsync(new RehearsalOptions(RepositoryRoot.Path) { FaultyVersions = new HashSet<string> { "v1" }, FaultyFailsOneIn = failsOneIn });
        using var traffic = SyntheticTraffic.Start(rehearsal.Environment.Api.BaseUrl);

        Assert.Equal(exitCode, rehearsal.Run("Monitor", "--monitor-window=3s"));

        Assert.Equal(outcome, rehearsal.Outcome());
    }
}

/// <summary>The monitor's Prometheus path, against Debian's prometheus scraping the stand-in API.</summary>
public sealed class MonitorPrometheusTests
{
    [Fact]
    public async Task Reads_the_checklist_from_Prometheus()
    {
        // One request in four fails: far above the matrix's 5 %, even when a loaded machine leaves Prometheus's rate()
        // only a partial window (one in ten read as 1–5 %, "degraded", under load).
        await using var rehearsal = await Rehearsal.StartAsync(new RehearsalOptions(RepositoryRoot.Path) { FaultyVersions = new HashSet<string> { "v1" }, FaultyFailsOneIn = 4 });
        await using var prometheus = await ThrowawayPrometheus.StartAsync(rehearsal.Environment.Api.BaseUrl + "/metrics")
            ?? throw new InvalidOperationException("prometheus is not installed: apt-get install prometheus (.ci/run does)");
        using var traffic = SyntheticTraffic.Start(rehearsal.Environment.Api.BaseUrl);
        await Task.Delay(TimeSpan.FromSeconds(4)); // at least two scrapes with traffic, for rate()

        Assert.Equal(ExitCodes.Failed, rehearsal.Run("Monitor", "--monitor-window=4s", "--monitor-interval=1s", $"--prometheus-url={prometheus.Url}"));

        var error = rehearsal.LatestReport().GetProperty("error").GetString();
        Assert.Contains("Decision matrix: ImmediateRollback", error);
        Assert.Contains("Error rate", error);
    }
}
