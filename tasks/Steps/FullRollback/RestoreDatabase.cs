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
        context.Record(Name, RestoreDatabaseFromBackup.For(context, safety.Path));

        // The restore checks the row counts against the chosen backup's manifest on both paths.
        var tables = await context.Postgres.RestoreAsync(chosen);
        context.Log.Information("Restored {0} ({1} tables checked, alembic {2}).", chosen, tables, manifest.AlembicRevision ?? "(none)");
    }

    private static string SafetyPath(DeployContext context) => Path.Combine(context.Settings.BackupDir, $"backup_pre_restore_{context.RunId}.dump");

    private static async Task<string> NewestVerifiedAsync(PostgresBackupGateway gateway, DeployContext context)
    {
        var candidates = Directory.Exists(context.Settings.BackupDir)
            ? Directory.GetFiles(context.Settings.BackupDir, "*.dump").Where(path => !path.Contains("pre_restore")).OrderByDescending(File.GetLastWriteTimeUtc).ToList()
            : [];
        foreach (var candidate in candidates)
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

        throw new BadInputException($"No verified backup in {context.Settings.BackupDir}: pass --backup=<file>.");
    }
}
