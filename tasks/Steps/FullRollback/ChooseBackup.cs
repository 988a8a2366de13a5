using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.FullRollback;

/// <summary>
/// Picks and verifies the backup FullRollback restores, before anything is scaled down: a restore that would be
/// refused must not cost an outage first. <c>--backup</c> is verified as given; without it the newest backup in
/// <c>--backup-dir</c> must verify, and when it does not, the run is refused naming it and the next candidate: an
/// older backup loses rows, so restoring one is a person's decision, never a silent fallback.
/// </summary>
[TaskDescription("Guide: choose the backup to restore (--backup=<file or folder>, else the newest in --backup-dir) and verify it — size, sha256, manifest, pg_restore --list — before any change.")]
public sealed class ChooseBackup : DeployStep, IHasPreconditions
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
            yield return NoBackupOfThisCluster(context);
        }
    }

    private static string NoBackupOfThisCluster(DeployContext context) =>
        $"no backup of {context.Binding} in {context.Shown(context.Settings.BackupDir)} (backups of other clusters, namespaces, environments and rehearsals are never restored here): pass --backup=<file>";

    /// <summary>Why a backup taken on another cluster, namespace or environment (or by a rehearsal) is not restored here; null when it may be.</summary>
    private static string? BelongsElsewhere(DeployContext context, string backup)
    {
        if (!File.Exists(BackupManifest.PathFor(backup)))
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
        var backup = context.Settings.BackupPath is { } path ? context.Shown(path) : $"<newest backup in {context.Shown(context.Settings.BackupDir)}>";
        yield return context.Postgres.DescribeVerify(backup, restoreTest: false) + " (refused, before any change, if it fails)";
    }

    protected override async Task ExecuteAsync(DeployContext context) => context.BackupToRestore = await ChooseAsync(context);

    /// <summary>The verified backup to restore, or a refusal (exit 2) that names what failed and what to pass instead.</summary>
    public static async Task<string> ChooseAsync(DeployContext context)
    {
        if (context.Settings.BackupPath is { } given)
        {
            await VerifyOrRefuseAsync(context, given, next: null);
            return given;
        }

        var candidates = Candidates(context);
        if (candidates.Count == 0)
        {
            throw new BadInputException(NoBackupOfThisCluster(context) + ".");
        }

        await VerifyOrRefuseAsync(context, candidates[0], candidates.ElementAtOrDefault(1));
        return candidates[0];
    }

    /// <summary>
    /// The backups FullRollback may pick, newest first: files (custom format) and folders (directory format) alike,
    /// found by their manifests, and only those whose manifest names this cluster, namespace and environment (never a
    /// rehearsal's or another cluster's). The one place that decides which backups are candidates.
    /// </summary>
    public static IReadOnlyList<string> Candidates(DeployContext context) =>
        Directory.Exists(context.Settings.BackupDir)
            ? Directory.GetFiles(context.Settings.BackupDir, "*" + ManifestSuffix)
                .Select(manifest => manifest[..^ManifestSuffix.Length])
                .Where(path => File.Exists(path) || Directory.Exists(path))
                .Where(path => !Path.GetFileName(path).Contains("pre_restore", StringComparison.Ordinal))
                .Where(path => IsOurs(context, path))
                .OrderByDescending(LastWrite).ThenByDescending(path => path, StringComparer.Ordinal).ToList()
            : [];

    private static readonly string ManifestSuffix = BackupManifest.PathFor(string.Empty);

    // A folder's own time changes when a file is added or removed; its manifest is written once, when the backup is complete.
    private static DateTime LastWrite(string backup) => File.GetLastWriteTimeUtc(BackupManifest.PathFor(backup));

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

    private static async Task VerifyOrRefuseAsync(DeployContext context, string backup, string? next)
    {
        try
        {
            var manifest = await context.Postgres.VerifyAsync(backup);
            context.Log.Information("Backup {0} verified: {1:N0} bytes, sha256 {2}, {3} tables, alembic {4}.",
                context.Shown(backup), manifest.SizeBytes, manifest.Sha256[..12], manifest.TableRows.Count, manifest.AlembicRevision ?? "(none)");
        }
        catch (DataOperationException exception)
        {
            var instead = context.Settings.BackupPath is not null ? "pass another --backup"
                : next is null ? "there is no older backup to fall back on"
                : $"the next candidate is {context.Shown(next)}: pass --backup={context.Shown(next)} to restore it (older: rows written since are lost)";
            throw new BadInputException($"Backup {context.Shown(backup)} fails verification ({exception.Message.TrimEnd('.')}); nothing was changed; {instead}.");
        }
    }
}
