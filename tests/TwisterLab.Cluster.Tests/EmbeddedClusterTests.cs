using TwisterLab.Cake.Cluster;

namespace TwisterLab.Cluster.Tests;

public sealed class EmbeddedClusterTests
{
    [Fact]
    public async Task Starts_the_simulator_in_process_with_the_namespace_and_a_connected_gateway()
    {
        await using var embedded = await EmbeddedCluster.StartAsync("twisterlab", options => options.PodStartDelay = TimeSpan.FromMilliseconds(50));

        Assert.Equal("twisterlab", embedded.Gateway.Namespace);
        Assert.True(File.Exists(embedded.KubeconfigPath));
        var nodes = await embedded.Gateway.Nodes.ListAsync(CancellationToken.None);
        Assert.NotEmpty(nodes);
        await using var runLock = embedded.Gateway.RunLock("rehearsal");
        await runLock.AcquireAsync(CancellationToken.None);
        Assert.True(runLock.IsHeld);
    }
}
