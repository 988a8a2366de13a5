using StackExchange.Redis;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests.Chains;

public sealed class RedisUpgradeTests
{
    public static readonly string[] Steps = ["Preflight", "SaveRedisDump", "SetRedisImage", "WaitForRedisRollout", "VerifyRedis"];

    /// <summary>Given the guide's starting point: Redis 6.2 holding a few keys.</summary>
    private static async Task<string[]> RedisSixTwo(Rehearsal rehearsal)
    {
        var gateway = rehearsal.Environment.Gateway;
        await gateway.Deployments.SetImageAsync("redis", "redis", "redis:6.2-alpine", CancellationToken.None);
        await gateway.Deployments.WaitForRolloutAsync("redis", new RolloutWaitOptions(TimeSpan.FromSeconds(30)), CancellationToken.None);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(rehearsal.Environment.Redis.Target.ToOptions());
        foreach (var key in new[] { "session:1", "session:2", "queue:tickets" })
        {
            await redis.GetDatabase().StringSetAsync(key, "value of " + key);
        }

        return [];
    }

    [Fact]
    public async Task Saves_and_copies_the_dump_then_upgrades_the_image_and_checks_ping_and_version()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        await RedisSixTwo(rehearsal);

        Assert.Equal(ExitCodes.Success, rehearsal.Run("RedisUpgrade"));

        var world = await rehearsal.SnapshotAsync();
        Assert.Equal("redis=redis:7.2-alpine replicas=1", world.Facts["deployment/redis"]);
        var dump = Assert.Single(Directory.GetFiles(Path.Combine(rehearsal.WorkingDirectory, "backups"), "dump_*.rdb"));
        Assert.StartsWith("REDIS", File.ReadAllText(dump)[..5]);
        Assert.Contains(rehearsal.LatestReport().GetProperty("notes").EnumerateArray(), note => note.GetString()!.Contains(dump) && note.GetString()!.Contains("3 keys"));
        Assert.Equal("succeeded", rehearsal.Outcome());
    }

    [Fact]
    public async Task Refuses_an_image_that_is_not_an_image_reference_before_any_change()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        await RedisSixTwo(rehearsal);

        await ChainChecks.AssertRefusedAsync(rehearsal, "RedisUpgrade", "--redis-image: 'Redis:7.2 alpine' is not a container image reference", "--redis-image=Redis:7.2 alpine");
    }

    public static TheoryData<string, string> Faults() => ChainChecks.Matrix(Steps);

    [Theory]
    [MemberData(nameof(Faults))]
    public Task A_fault_at_any_step_puts_the_previous_image_back_and_keeps_the_dump(string step, string kind) =>
        ChainChecks.AssertWorldRestoredAsync("RedisUpgrade", step, kind, RedisSixTwo, rehearsal =>
        {
            var dumps = Directory.Exists(Path.Combine(rehearsal.WorkingDirectory, "backups"))
                ? Directory.GetFiles(Path.Combine(rehearsal.WorkingDirectory, "backups"), "dump_*.rdb")
                : [];
            if (Array.IndexOf(Steps, step) > Array.IndexOf(Steps, "SaveRedisDump"))
            {
                Assert.Single(dumps);
            }

            return Task.CompletedTask;
        });
}
