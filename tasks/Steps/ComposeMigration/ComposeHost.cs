using Cake.Core;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Tools;

namespace TwisterLab.Cake.Steps.ComposeMigration;

/// <summary>
/// The Docker Compose side of the migration: how it is reached (docker on the Compose host, or with
/// --compose-database-url a direct pg_dump and no Docker at all), its containers, and the files its export lands in.
/// </summary>
public static class ComposeHost
{
    /// <summary>Docker is needed unless the export comes straight from --compose-database-url.</summary>
    public static bool UsesDocker(DeployContext context) => context.Settings.ComposeDatabaseUrl is null;

    public static DockerRunner Docker(DeployContext context) => new(context.FileSystem, context.Environment, context.ProcessRunner, context.Tools);

    public static DockerSettings DockerSettings(DeployContext context) => new() { Host = context.Settings.DockerHost };

    public static string Describe(DeployContext context, global::Cake.Core.IO.ProcessArgumentBuilder arguments) => DockerRunner.Describe(arguments, DockerSettings(context));

    /// <summary>The Compose PostgreSQL reached directly (--compose-database-url).</summary>
    public static PostgresTarget? Database(DeployContext context) =>
        context.Settings.ComposeDatabaseUrl is { } url ? PostgresTarget.Parse(url) : null;

    /// <summary>The guide's compose_export.sql, unique per run, in the run's backup folder.</summary>
    public static string ExportPath(DeployContext context) => Path.Combine(context.Settings.BackupDir, $"compose_export_{context.RunId}.sql");

    /// <summary>The guide's redis_backup.rdb, unique per run.</summary>
    public static string RedisBackupPath(DeployContext context) => Path.Combine(context.Settings.BackupDir, $"redis_backup_{context.RunId}.rdb");

    /// <summary>
    /// Whether a Docker engine answers: 'docker version' fails on its server part when none does (the CLI alone is
    /// not enough). Null when it answers; otherwise the one line that says what to do.
    /// </summary>
    public static string? EngineProblem(DeployContext context)
    {
        DockerResult result;
        try
        {
            result = Docker(context).Capture(DockerSettings(context), DockerRunner.Version());
        }
        catch (CakeException exception)
        {
            return $"the docker CLI is not available ({exception.Message}): install it on the Compose host and run this there, or export with --compose-database-url";
        }

        return result.Succeeded
            ? null
            : $"Docker engine not reachable (docker version: {result.LastError}): run this on the Compose host (or pass --docker-host), or export with --compose-database-url";
    }
}
