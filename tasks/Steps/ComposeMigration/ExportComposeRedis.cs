using System.Security.Cryptography;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Steps.RedisUpgrade;
using TwisterLab.Cake.Tools;

namespace TwisterLab.Cake.Steps.ComposeMigration;

/// <summary>
/// The guide's optional Redis export: SAVE, then dump.rdb copied out of the Compose container (or, with
/// --compose-redis-url, from that server) and checked by loading it into a scratch redis-server. Changes nothing;
/// the copy is kept and reported. Not exported is said in one line, with the reason.
/// </summary>
[TaskDescription("Guide step 2 (optional): docker exec twisterlab-redis redis-cli SAVE; docker cp twisterlab-redis:/data/dump.rdb ./redis_backup.rdb (kept and reported; --skip-redis-export skips it).")]
public sealed class ExportComposeRedis : DeployStep, IHasLivePreconditions
{
    private const string ContainerDump = "/data/dump.rdb";

    public IEnumerable<string> DescribeChecks(DeployContext context) => Mode(context) switch
    {
        ExportMode.Docker => [ComposeHost.Describe(context, DockerRunner.Version()) + "   # a Docker engine must answer"],
        ExportMode.Direct => ["redis-cli -u <--compose-redis-url> PING   # the Compose Redis must answer"],
        _ => [],
    };

    public async Task<IReadOnlyList<string>> ProblemsAsync(DeployContext context)
    {
        switch (Mode(context))
        {
            case ExportMode.Docker:
                return ComposeHost.EngineProblem(context) is { } problem ? [problem] : [];
            case ExportMode.Direct:
                try
                {
                    await new RedisGateway().PingAsync(new RedisTarget(context.Settings.ComposeRedisUrl!), context.CancellationToken);
                    return [];
                }
                catch (DataOperationException exception)
                {
                    return [$"--compose-redis-url: {exception.Message}"];
                }
            default:
                return [];
        }
    }

    public override IEnumerable<string> Plan(DeployContext context)
    {
        var backup = context.Shown(ComposeHost.RedisBackupPath(context));
        switch (Mode(context))
        {
            case ExportMode.Docker:
                yield return ComposeHost.Describe(context, DockerRunner.Exec(RedisCli(context, "SAVE")));
                yield return ComposeHost.Describe(context, DockerRunner.Copy($"{context.Settings.ComposeRedisContainer}:{ContainerDump}", backup));
                yield return "redis-server --dbfilename <copy>   # scratch server: the copy loads with the same key count";
                break;
            case ExportMode.Direct:
                yield return $"redis-cli -u <--compose-redis-url> SAVE; copy its dump.rdb to {backup}   # checked in a scratch redis-server";
                break;
            default:
                yield return $"# Redis not exported: {SkipReason(context)}";
                break;
        }
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var mode = Mode(context);
        if (mode == ExportMode.Skipped)
        {
            context.Notes.Add($"Redis not exported: {SkipReason(context)}.");
            context.Log.Information("Redis not exported: {0}.", SkipReason(context));
            return;
        }

        PrivateFiles.CreateFolder(context.Settings.BackupDir);
        var backup = mode == ExportMode.Docker
            ? await ExportThroughDockerAsync(context)
            : await new RedisGateway().BackupAsync(new RedisTarget(context.Settings.ComposeRedisUrl!), ComposeHost.RedisBackupPath(context), cancellationToken: context.CancellationToken);
        await new RedisGateway().VerifyBackupAsync(backup, context.CancellationToken);
        context.Notes.Add($"Redis dump kept: {backup.Path} ({backup.KeyCount} keys, Redis {backup.ServerVersion}).");
        context.Log.Information("Redis {0}: {1} keys saved to {2} ({3:N0} bytes), loads with {1} keys.", backup.ServerVersion, backup.KeyCount, backup.Path, backup.Bytes);
    }

    private static async Task<RedisBackup> ExportThroughDockerAsync(DeployContext context)
    {
        var keys = RedisPod.Keys(RunOrThrow(context, DockerRunner.Exec(RedisCli(context, "INFO", "keyspace"))));
        var saved = RunOrThrow(context, DockerRunner.Exec(RedisCli(context, "SAVE"))).Trim();
        if (saved != "OK")
        {
            throw new InvalidOperationException($"redis-cli SAVE in {context.Settings.ComposeRedisContainer} answered '{saved}'.");
        }

        var version = RedisPod.Field(RunOrThrow(context, DockerRunner.Exec(RedisCli(context, "INFO", "server"))), "redis_version") ?? "?";
        var path = ComposeHost.RedisBackupPath(context);
        RunOrThrow(context, DockerRunner.Copy($"{context.Settings.ComposeRedisContainer}:{ContainerDump}", path));
        await using var file = File.OpenRead(path);
        var sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(file, context.CancellationToken));
        return new RedisBackup(path, file.Length, sha, keys, version, DateTime.UtcNow);
    }

    private static string RunOrThrow(DeployContext context, global::Cake.Core.IO.ProcessArgumentBuilder arguments)
    {
        var result = ComposeHost.Docker(context).Capture(ComposeHost.DockerSettings(context), arguments);
        return result.Succeeded
            ? string.Join('\n', result.Output)
            : throw new InvalidOperationException($"{ComposeHost.Describe(context, arguments)} exited {result.ExitCode}: {context.Redactor.Redact(result.LastError)}");
    }

    private static DockerExec RedisCli(DeployContext context, params string[] arguments) =>
        new(context.Settings.ComposeRedisContainer, ["redis-cli", .. arguments]);

    private enum ExportMode
    {
        Docker,
        Direct,
        Skipped,
    }

    private static ExportMode Mode(DeployContext context) =>
        context.Settings.SkipRedisExport ? ExportMode.Skipped
        : context.Settings.ComposeRedisUrl is not null ? ExportMode.Direct
        : ComposeHost.UsesDocker(context) ? ExportMode.Docker
        : ExportMode.Skipped;

    private static string SkipReason(DeployContext context) =>
        context.Settings.SkipRedisExport
            ? "--skip-redis-export (the guide marks it optional)"
            : "the export runs without Docker (--compose-database-url); pass --compose-redis-url to export Redis too";
}
