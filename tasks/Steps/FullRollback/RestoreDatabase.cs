using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Data;

namespace TwisterLab.Cake.Steps.FullRollback;

/// <summary>
/// Restores the backup ChooseBackup verified before anything changed (run alone, it chooses and verifies here).
/// Restoring is itself a change, so the database as it is now is backed up first, and that backup is its undo.
/// </summary>
[TaskDescription("Guide: restore database from backup — the one ChooseBackup verified; a safety backup of the current state is taken first.")]
public sealed class RestoreDatabase : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        var backup = context.Settings.BackupPath is { } path ? context.Shown(path) : $"<newest verified backup in {context.Shown(context.Settings.BackupDir)}>";
        yield return context.Postgres.DescribeBackup(context.Shown(SafetyPath(context)), "the undo of this restore");
        yield return context.Postgres.DescribeRestore(backup);
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var chosen = context.BackupToRestore ?? await ChooseBackup.ChooseAsync(context);

        PrivateFiles.CreateFolder(context.Settings.BackupDir);
        var safety = await context.Postgres.BackupAsync(SafetyPath(context));
        await context.Postgres.VerifyAsync(safety);
        context.Record(Name, RestoreDatabaseFromBackup.For(context, safety.Path));

        // The restore checks the row counts against the chosen backup's manifest on both paths.
        var tables = await context.Postgres.RestoreAsync(chosen);
        context.Log.Information("Restored {0} ({1} tables checked).", chosen, tables);
    }

    private static string SafetyPath(DeployContext context) => context.Postgres.BackupPath($"backup_pre_restore_{context.RunId}");
}
