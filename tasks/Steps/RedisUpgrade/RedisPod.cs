using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;

namespace TwisterLab.Cake.Steps.RedisUpgrade;

/// <summary>The redis deployment, reached the guide's way: kubectl exec deployment/redis -- redis-cli ...</summary>
public static class RedisPod
{
    /// <summary>The container of the guide's "kubectl set image deployment/redis redis=...".</summary>
    public const string Container = "redis";

    public static string Deployment(DeployContext context) => context.Settings.Profile.RedisDeployment;

    public static ExecRequest Exec(DeployContext context, params string[] command) => new(Deployment(context), command);

    /// <summary>Runs a command in the redis pod and returns its output; a non-zero exit is an error naming the command.</summary>
    public static async Task<string> RunAsync(DeployContext context, ExecRequest request)
    {
        var result = await context.Cluster.Pods.ExecAsync(request, context.CancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{string.Join(' ', request.Command)}' in deployment/{request.Deployment} exited {result.ExitCode}: {result.Stderr.Trim()}");
        }

        return result.Stdout;
    }

    /// <summary>One field of redis-cli INFO output (e.g. redis_version).</summary>
    public static string? Field(string info, string name) =>
        info.Split('\n').Select(line => line.Trim()).FirstOrDefault(line => line.StartsWith(name + ":", StringComparison.Ordinal))?[(name.Length + 1)..];

    /// <summary>Keys of every logical database, from INFO keyspace (db0:keys=3,expires=0,...).</summary>
    public static long Keys(string keyspace) =>
        keyspace.Split('\n').Select(line => line.Trim())
            .Where(line => line.StartsWith("db", StringComparison.Ordinal) && line.Contains("keys="))
            .Sum(line => long.Parse(line.Split(':', 2)[1].Split(',')[0]["keys=".Length..]));
}
