using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake.Steps.RedisUpgrade;

/// <summary>
/// PING answers PONG, and the server's version is at least the guide's minimum. A version that does not match the
/// image tag is only warned about: a rehearsal has one Redis on this machine, whatever the image says.
/// </summary>
[TaskDescription("Guide step 4: kubectl exec deployment/redis -- redis-cli PING (PONG), and the version check (INFO server: at least the guide's minimum).")]
public sealed class VerifyRedis : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return context.Cluster.Pods.DescribeExec(RedisPod.Exec(context, "redis-cli", "PING"));
        yield return context.Cluster.Pods.DescribeExec(RedisPod.Exec(context, "redis-cli", "INFO", "server")) + $"   # redis_version >= {VersionMatrix.Requirement("Redis").Minimum}";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var pong = (await RedisPod.RunAsync(context, RedisPod.Exec(context, "redis-cli", "PING"))).Trim();
        if (pong != "PONG")
        {
            throw new InvalidOperationException($"redis-cli PING answered '{pong}', not PONG.");
        }

        var version = RedisPod.Field(await RedisPod.RunAsync(context, RedisPod.Exec(context, "redis-cli", "INFO", "server")), "redis_version");
        var finding = VersionMatrix.Check("Redis", version);
        if (finding.Verdict is VersionVerdict.BelowMinimum or VersionVerdict.Unknown)
        {
            throw new InvalidOperationException($"Redis reports version {version ?? "(none)"}: below the guide's minimum {finding.Requirement.Minimum} or unreadable.");
        }

        var tag = context.Settings.RedisImage.Split('@')[0].Split(':').ElementAtOrDefault(1)?.Split('-')[0];
        if (tag is not null && !version!.StartsWith(tag, StringComparison.Ordinal))
        {
            context.Log.Warning("Redis reports {0}, the image {1} says {2} (fine for a rehearsal; in production check the image).", version, context.Settings.RedisImage, tag);
        }

        context.Log.Information("Redis answers PONG, version {0}.", version);
    }
}
