using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps;

/// <summary>
/// The guide's backup. With --database-url pg_dump runs here; without it, in the postgres pod over exec, streamed into
/// the local file (the guide's <c>kubectl exec deployment/postgres -- pg_dump ... &gt; backup</c>). Either way the
/// backup is verified before any later step may change the database.
/// </summary>
[TaskDescription("Guide: 'Backup database' — pg_dump -Fc (direct with --database-url, else kubectl exec into the postgres deployment), verified (checksum, pg_restore --list; with --verify-restore a restore test).")]
public sealed class BackupDatabase : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        var path = context.Shown(PathFor(context));
        yield return context.Postgres.DescribeBackup(path);
        yield return context.Postgres.DescribeVerify(path, context.Settings.VerifyRestore);
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        PrivateFiles.CreateFolder(context.Settings.BackupDir);
        var backup = await context.Postgres.BackupAsync(PathFor(context));
        await context.Postgres.VerifyAsync(backup, context.Settings.VerifyRestore);
        context.LastBackup = backup.Path;
        context.Log.Information("Backup {0} ({1}): {2:N0} bytes, {3} tables, alembic {4}, verified.",
            backup.Path, backup.Manifest.Server, backup.Manifest.SizeBytes, backup.Manifest.TableRows.Count, backup.Manifest.AlembicRevision ?? "(none)");
    }

    /// <summary>The guide's name (backup_pre_upgrade_&lt;date&gt;.dump), made unique per run; a folder when direct.</summary>
    private static string PathFor(DeployContext context) => context.Postgres.BackupPath($"backup_pre_upgrade_{context.RunId}");
}
