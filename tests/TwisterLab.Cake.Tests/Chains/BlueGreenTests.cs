using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rehearsal;

namespace TwisterLab.Cake.Tests.Chains;

public sealed class BlueGreenTests
{
    public static readonly string[] Steps = ["Preflight", "DeployGreen", "WaitGreenReady", "SwitchTraffic", "MonitorHealth", "RetireBlue"];

    [Fact]
    public async Task Switches_traffic_to_green_and_retires_blue_then_cleanup_deletes_blue()
    {
        await using var rehearsal = await Rehearsal.StartAsync();

        Assert.Equal(ExitCodes.Success, rehearsal.Run("BlueGreenDeploy", "--image-tag=v2.0"));

        var world = await rehearsal.SnapshotAsync();
        Assert.Equal("app=twisterlab-api,version=v2.0", world.Facts["service/twisterlab-api"]);
        Assert.EndsWith("replicas=0", world.Facts["deployment/twisterlab-api"]);
        Assert.Equal("twisterlab-api=twisterlab-api:v2.0 replicas=3", world.Facts["deployment/twisterlab-api-v2-0"]);

        Assert.Equal(ExitCodes.Success, rehearsal.Run("BlueGreenCleanup"));
        Assert.DoesNotContain("deployment/twisterlab-api", (await rehearsal.SnapshotAsync()).Facts.Keys);
    }

    [Fact]
    public async Task A_green_that_serves_errors_is_rolled_back_by_the_decision_matrix()
    {
        await using var rehearsal = await Rehearsal.StartAsync("v2-faulty");
        var before = await rehearsal.SnapshotAsync();
        using var traffic = SyntheticTraffic.Start(rehearsal.Environment.Api.BaseUrl);

        Assert.Equal(ExitCodes.Failed, rehearsal.Run("BlueGreenDeploy", "--image-tag=v2-faulty"));

        Assert.Empty(before.Differences(await rehearsal.SnapshotAsync()));
        Assert.Contains("Decision matrix: ImmediateRollback", rehearsal.LatestReport().GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_canary_phase_serves_both_versions_before_the_switch()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        using var traffic = SyntheticTraffic.Start(rehearsal.Environment.Api.BaseUrl);

        Assert.Equal(ExitCodes.Success, rehearsal.Run("BlueGreenDeploy", "--image-tag=v2.0", "--canary=25"));

        Assert.Equal("app=twisterlab-api,version=v2.0", (await rehearsal.SnapshotAsync()).Facts["service/twisterlab-api"]);
        Assert.Contains(rehearsal.LatestNotes(), note => note.StartsWith("Canary: 1 green pod(s) beside 3 blue", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BlueGreenRollback_brings_blue_back_and_removes_green()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var before = await rehearsal.SnapshotAsync();
        rehearsal.RunExpecting(ExitCodes.Success, "BlueGreenDeploy", "--image-tag=v2.0");

        rehearsal.RunExpecting(ExitCodes.Success, "BlueGreenRollback", "--image-tag=v2.0");

        Assert.Empty(before.Differences(await rehearsal.SnapshotAsync()));
    }

    public static TheoryData<string, string> Faults() => ChainChecks.Matrix(Steps);

    [Theory]
    [MemberData(nameof(Faults))]
    public Task A_fault_at_any_step_leaves_the_world_as_it_was(string step, string kind) =>
        ChainChecks.AssertWorldRestoredAsync("BlueGreenDeploy", step, kind, ["--image-tag=v2.0"]);

    public static TheoryData<string, string> RollbackFaults() => ChainChecks.Matrix(["RestoreBlue", "SwitchToBlue", "RemoveGreen"]);

    [Theory]
    [MemberData(nameof(RollbackFaults))]
    public Task A_fault_at_any_step_of_BlueGreenRollback_leaves_the_world_as_it_was(string step, string kind) =>
        ChainChecks.AssertWorldRestoredAsync("BlueGreenRollback", step, kind, ["--image-tag=v2.0"], ["BlueGreenDeploy", "--image-tag=v2.0"]);

    public static TheoryData<string, string> CleanupFaults() => ChainChecks.Matrix(["DeleteBlue"]);

    [Theory]
    [MemberData(nameof(CleanupFaults))]
    public Task A_fault_in_BlueGreenCleanup_leaves_the_world_as_it_was(string step, string kind) =>
        ChainChecks.AssertWorldRestoredAsync("BlueGreenCleanup", step, kind, [], ["BlueGreenDeploy", "--image-tag=v2.0"]);
}
