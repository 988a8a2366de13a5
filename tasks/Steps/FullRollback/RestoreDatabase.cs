using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
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
        PrivateFiles.CreateFolder(context.Settings.BackupDir);
        var (chosen, safety) = await ChooseWhileBackingUpAsync(context);
        await context.Postgres.VerifyAsync(safety);
        context.Record(Name, RestoreDatabaseFromBackup.For(context, safety.Path));

        // The restore checks the row counts against the chosen backup's manifest on both paths.
        var tables = await context.Postgres.RestoreAsync(chosen);
        context.Log.Information("Restored {0} ({1} tables checked).", chosen, tables);
    }

    /// <summary>
    /// Run alone, the backup to restore is chosen and verified (reading it whole) while the safety backup is taken:
    /// both only read. A refusal stops the safety backup, or removes it when it was done, so nothing was changed.
    /// </summary>
    private static async Task<(string Chosen, BackupResult Safety)> ChooseWhileBackingUpAsync(DeployContext context)
    {
        using var refused = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var choosing = context.BackupToRestore is { } verified ? Task.FromResult(verified) : Task.Run(async () =>
        {
            try
            {
                return await ChooseBackup.ChooseAsync(context);
            }
            catch
            {
                await refused.CancelAsync();
                throw;
            }
        });

        BackupResult safety;
        try
        {
            safety = await context.Postgres.BackupAsync(SafetyPath(context), refused.Token);
        }
        catch
        {
            await choosing; // a refusal (which stopped the backup) is the error to report; else the backup's own
            throw;
        }

        try
        {
            return (await choosing, safety);
        }
        catch
        {
            PostgresBackupGateway.Remove(safety.Path);
            throw;
        }
    }

    private static string SafetyPath(DeployContext context) => context.Postgres.BackupPath($"backup_pre_restore_{context.RunId}");
}
