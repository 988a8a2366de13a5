using TwisterLab.Cake.Cluster;

namespace TwisterLab.Cluster.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task Set_image_then_rollout_status_completes()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        await cluster.CreateDeploymentAsync("web", "nginx:1.25", replicas: 3);
        await cluster.WaitRolledOutAsync("web");
        var lines = new List<string>();
        var result = await cluster.Gateway.Deployments.SetImageAsync("web", "app", "nginx:1.26", CancellationToken.None);
        var message = await cluster.Gateway.Deployments.WaitForRolloutAsync("web", new RolloutWaitOptions(TimeSpan.FromSeconds(30), Progress: lines.Add), CancellationToken.None);
        Assert.Equal(1, result.PreviousRevision);
        Assert.Equal("deployment \"web\" successfully rolled out", message);
        Assert.Equal(2, await cluster.Gateway.Deployments.GetRevisionAsync("web", CancellationToken.None));
    }
}
