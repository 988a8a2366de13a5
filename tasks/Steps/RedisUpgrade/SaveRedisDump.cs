using System.Security.Cryptography;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.RedisUpgrade;

/// <summary>
/// SAVE, then the dump copied out of the pod into --backup-dir and checked by loading it into a throwaway
/// redis-server (same key count). Changes nothing; the copy is kept and named in the report, whatever happens next.
/// </summary>
[TaskDescription("Guide step 1: kubectl exec deployment/redis -- redis-cli SAVE; copy /data/dump.rdb out (checked by loading it into a scratch redis-server; kept and reported).")]
public sealed class SaveRedisDump : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        var pods = context.Cluster.Pods;
        yield return pods.DescribeExec(RedisPod.Exec(context, "redis-cli", "SAVE"));
        yield return pods.DescribeExec(RedisPod.Exec(context, "cat", "/data/dump.rdb")) + $" > {context.Shown(PathFor(context))}   # dir and dbfilename from CONFIG GET";
        yield return "redis-server --dbfilename <copy>   # scratch server: the copy loads with the same key count";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var keys = RedisPod.Keys(await RedisPod.RunAsync(context, RedisPod.Exec(context, "redis-cli", "INFO", "keyspace")));
        var saved = (await RedisPod.RunAsync(context, RedisPod.Exec(context, "redis-cli", "SAVE"))).Trim();
        if (saved != "OK")
        {
            throw new InvalidOperationException($"redis-cli SAVE answered '{saved}'.");
        }

        var version = RedisPod.Field(await RedisPod.RunAsync(context, RedisPod.Exec(context, "redis-cli", "INFO", "server")), "redis_version") ?? "?";
        var dump = $"{await ConfigAsync(context, "dir")}/{await ConfigAsync(context, "dbfilename")}";
        var path = PathFor(context);
        PrivateFiles.CreateFolder(context.Settings.BackupDir);
        await RedisPod.RunAsync(context, RedisPod.Exec(context, "cat", dump) with { StdoutFile = path });
        var backup = new RedisBackup(path, new FileInfo(path).Length, await Sha256Async(path, context.CancellationToken), keys, version, DateTime.UtcNow);
        await new RedisGateway().VerifyBackupAsync(backup, context.CancellationToken);
        context.Notes.Add($"Redis dump kept: {path} ({keys} keys, Redis {version}).");
        context.Log.Information("Redis {0}: {1} keys saved, {2} copied to {3} ({4:N0} bytes), loads with {1} keys.", version, keys, dump, path, backup.Bytes);
    }

    private static async Task<string> ConfigAsync(DeployContext context, string name)
    {
        var lines = (await RedisPod.RunAsync(context, RedisPod.Exec(context, "redis-cli", "CONFIG", "GET", name))).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 2 ? lines[1] : throw new InvalidOperationException($"redis-cli CONFIG GET {name} answered '{string.Join(' ', lines)}'.");
    }

    private static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    /// <summary>The guide's dump_&lt;date&gt;.rdb, unique per run.</summary>
    private static string PathFor(DeployContext context) => Path.Combine(context.Settings.BackupDir, $"dump_{context.RunId}.rdb");
}
