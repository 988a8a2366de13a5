using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rehearsal;

namespace TwisterLab.Cake.Tests.Chains;

/// <summary>
/// Chains act on what is live (issue 17.4): the deployment behind the API Service's selector, whatever colour it is.
/// Given v1 on twisterlab-api; When the chains run one after another on the same world; Then after each the images,
/// replicas and the Service's selector are what that chain must leave.
/// </summary>
public sealed class LiveDeploymentTests
{
    private const string Blue = "deployment/twisterlab-api";
    private const string Green = "deployment/twisterlab-api-v2-0";
    private const string Service = "service/twisterlab-api";

    [Fact]
    public async Task Each_chain_upgrades_migrates_and_verifies_the_colour_the_Service_selects()
    {
        await using var rehearsal = await Rehearsal.StartAsync();

        rehearsal.RunExpecting(ExitCodes.Success, "BlueGreenDeploy", "--image-tag=v2.0");
        var world = await rehearsal.SnapshotAsync();
        Assert.Equal("app=twisterlab-api,version=v2.0", world.Facts[Service]);
        Assert.Equal("twisterlab-api=twisterlab-api:v1 replicas=0", world.Facts[Blue]);
        Assert.Equal("twisterlab-api=twisterlab-api:v2.0 replicas=3", world.Facts[Green]);

        // Green serves: the upgrade goes there, not to the retired blue at 0 replicas.
        rehearsal.RunExpecting(ExitCodes.Success, "RollingUpgrade", "--image-tag=v3.0");
        world = await rehearsal.SnapshotAsync();
        Assert.Equal("twisterlab-api=twisterlab-api:v3.0 replicas=3", world.Facts[Green]);
        Assert.Equal("twisterlab-api=twisterlab-api:v1 replicas=0", world.Facts[Blue]);
        Assert.Equal("app=twisterlab-api,version=v2.0", world.Facts[Service]);
        Assert.Equal("0002_ticket_priority", world.Facts["alembic"]);
        Assert.Contains(rehearsal.LatestLog(), line => line.Contains("Live deployment: twisterlab-api-v2-0", StringComparison.Ordinal));

        // Cleanup deletes the retired colour (blue), never the live one.
        rehearsal.RunExpecting(ExitCodes.Success, "BlueGreenCleanup");
        world = await rehearsal.SnapshotAsync();
        Assert.DoesNotContain(Blue, world.Facts.Keys);
        Assert.Equal("twisterlab-api=twisterlab-api:v3.0 replicas=3", world.Facts[Green]);

        // Nothing retired is left: a second cleanup is refused, changing nothing.
        rehearsal.RunExpecting(ExitCodes.BadInput, "BlueGreenCleanup");
        Assert.Empty(world.Differences(await rehearsal.SnapshotAsync()));

        // The surviving colour is the deployment now.
        rehearsal.RunExpecting(ExitCodes.Success, "RollingUpgrade", "--image-tag=v3.1");
        Assert.Equal("twisterlab-api=twisterlab-api:v3.1 replicas=3", (await rehearsal.SnapshotAsync()).Facts[Green]);

        rehearsal.RunExpecting(ExitCodes.Success, "Rollback");
        Assert.Equal("twisterlab-api=twisterlab-api:v3.0 replicas=3", (await rehearsal.SnapshotAsync()).Facts[Green]);

        // A new blue-green starts from the live colour: green v4.0 beside it, the old one retired.
        rehearsal.RunExpecting(ExitCodes.Success, "BlueGreenDeploy", "--image-tag=v4.0");
        world = await rehearsal.SnapshotAsync();
        Assert.Equal("app=twisterlab-api,version=v4.0", world.Facts[Service]);
        Assert.Equal("twisterlab-api=twisterlab-api:v4.0 replicas=3", world.Facts["deployment/twisterlab-api-v4-0"]);
        Assert.Equal("twisterlab-api=twisterlab-api:v3.0 replicas=0", world.Facts[Green]);
        Assert.Equal(2, world.Facts.Keys.Count(key => key.StartsWith("deployment/twisterlab-api", StringComparison.Ordinal)));
    }
}
