using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps;

[TaskDescription("Guide: 'Backup database' — pg_dump -Fc, verified (checksum, pg_restore --list; with --verify-restore a restore test).")]
public sealed class BackupDatabase : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        var profile = context.Settings.Profile;
        var path = context.Shown(PathFor(context));
        yield return $"pg_dump -U {profile.DatabaseUser} -Fc -Z1 {profile.DatabaseName} > {path}";
        yield return $"pg_restore --list {path}   # verify, with the manifest's sha256{(context.Settings.VerifyRestore ? "; then a restore test into a scratch database" : string.Empty)}";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        Directory.CreateDirectory(context.Settings.BackupDir);
        var gateway = new PostgresBackupGateway();
        var backup = await gateway.BackupAsync(context.Database, new BackupOptions(PathFor(context)), context.CancellationToken);
        var verify = context.Settings.VerifyRestore ? new VerifyOptions { RestoreInto = context.Database.Maintenance } : null;
        await gateway.VerifyAsync(backup.Path, verify, context.CancellationToken);
        context.LastBackup = backup.Path;
        context.Log.Information("Backup {0}: {1:N0} bytes, {2} tables, alembic {3}, verified.",
            backup.Path, backup.Manifest.SizeBytes, backup.Manifest.TableRows.Count, backup.Manifest.AlembicRevision ?? "(none)");
    }

    /// <summary>The guide's name (backup_pre_upgrade_&lt;date&gt;.dump), made unique per run.</summary>
    private static string PathFor(DeployContext context) =>
        Path.Combine(context.Settings.BackupDir, $"backup_pre_upgrade_{context.RunId}.dump");
}
