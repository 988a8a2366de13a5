using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Data;

namespace TwisterLab.Cake.Steps.FullRollback;

/// <summary>
/// Restores the chosen backup (--backup, else the newest in --backup-dir that verifies). Restoring is itself a
/// change, so the database as it is now is backed up first, and that backup is its undo.
/// </summary>
[TaskDescription("Guide: restore database from backup — --backup=<file> or the latest verified one; a safety backup of the current state is taken first.")]
public sealed class RestoreDatabase : DeployStep, IHasPreconditions
{
    public IEnumerable<string> Problems(DeployContext context)
    {
        if (context.Settings.BackupPath is { } path && !File.Exists(path) && !Directory.Exists(path))
        {
            yield return $"--backup={path} does not exist";
        }
        else if (context.Settings.BackupPath is { } chosen && BelongsElsewhere(context, chosen) is { } problem)
        {
            yield return problem;
        }
        else if (context.Settings.BackupPath is null && !context.IsDryRun && Candidates(context).Count == 0)
        {
            // Checked before the API is scaled down: without a backup of this cluster there is nothing to restore.
            yield return $"no backup of {context.Binding} in {context.Shown(context.Settings.BackupDir)} (backups of other clusters, namespaces, environments and rehearsals are never restored here): pass --backup=<file>";
        }
    }

    /// <summary>Why a backup taken on another cluster, namespace or environment (or by a rehearsal) is not restored here; null when it may be.</summary>
    private static string? BelongsElsewhere(DeployContext context, string backup)
    {
        var manifest = BackupManifest.PathFor(backup);
        if (!File.Exists(manifest))
        {
            return null; // verification names the missing manifest
        }

        var origin = BackupManifest.ReadAsync(backup).GetAwaiter().GetResult().Cluster;
        return origin?.ConflictWith(context.Binding) is { } why
            ? $"--backup={context.Shown(backup)} belongs to {origin}, not to this run's {context.Binding} ({why}): refused, nothing was changed"
            : null;
    }

    public override IEnumerable<string> Plan(DeployContext context)
    {
        var backup = context.Settings.BackupPath is { } path ? context.Shown(path) : $"<newest verified backup in {context.Shown(context.Settings.BackupDir)}>";
        yield return context.Postgres.DescribeBackup(context.Shown(SafetyPath(context)), "the undo of this restore");
        yield return context.Postgres.DescribeRestore(backup);
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var gateway = new PostgresBackupGateway();
        var chosen = context.Settings.BackupPath ?? await NewestVerifiedAsync(gateway, context);
        var manifest = await gateway.VerifyAsync(chosen, cancellationToken: context.CancellationToken);

        Directory.CreateDirectory(context.Settings.BackupDir);
        var safety = await context.Postgres.BackupAsync(SafetyPath(context));
        await context.Postgres.VerifyAsync(safety.Path);
        context.Record(Name, new RestoreDatabaseFromBackup(safety.Path, context.Postgres.Name));

        // The restore checks the row counts against the chosen backup's manifest on both paths.
        var tables = await context.Postgres.RestoreAsync(chosen);
        context.Log.Information("Restored {0} ({1} tables checked, alembic {2}).", chosen, tables, manifest.AlembicRevision ?? "(none)");
    }

    private static string SafetyPath(DeployContext context) => Path.Combine(context.Settings.BackupDir, $"backup_pre_restore_{context.RunId}.dump");

    private static async Task<string> NewestVerifiedAsync(PostgresBackupGateway gateway, DeployContext context)
    {
        foreach (var candidate in Candidates(context))
        {
            try
            {
                await gateway.VerifyAsync(candidate, cancellationToken: context.CancellationToken);
                return candidate;
            }
            catch (DataOperationException exception)
            {
                context.Log.Warning("Skipping {0}: {1}", candidate, exception.Message);
            }
        }

        throw new BadInputException($"No verified backup of {context.Binding} in {context.Settings.BackupDir}: pass --backup=<file>.");
    }

    /// <summary>The backups FullRollback may pick by itself, newest first: only this cluster's, namespace's and environment's.</summary>
    private static List<string> Candidates(DeployContext context) =>
        Directory.Exists(context.Settings.BackupDir)
            ? Directory.GetFiles(context.Settings.BackupDir, "*.dump").Where(path => !path.Contains("pre_restore"))
                .Where(path => IsOurs(context, path)).OrderByDescending(File.GetLastWriteTimeUtc).ToList()
            : [];

    // Only backups whose manifest names this cluster, namespace and environment are candidates (never a rehearsal's or another cluster's).
    private static bool IsOurs(DeployContext context, string path)
    {
        try
        {
            return File.Exists(BackupManifest.PathFor(path))
                && BackupManifest.ReadAsync(path).GetAwaiter().GetResult().Cluster is { } origin && origin.ConflictWith(context.Binding) is null;
        }
        catch (DataOperationException)
        {
            return false;
        }
    }
}
