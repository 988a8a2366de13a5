using Cake.Core.Diagnostics;
using TwisterLab.Cake.Context;

namespace TwisterLab.Cake.Lifetime;

/// <summary>
/// What a run leaves on disk: owner-only (folders 0700, files 0600: a backup is the whole database), no half-written
/// <c>.partial</c> files, and no secret key once nothing can need it.
/// </summary>
internal static class RunFiles
{
    /// <summary>At the start: a killed run's half-written files (a 0-byte dump) must never look like a backup.</summary>
    public static void SweepPartials(DeployContext context)
    {
        foreach (var partial in Partials(context.Settings.BackupDir, "*.partial"))
        {
            Delete(partial);
            context.Log.Verbose("Removed {0}, left by a run that was stopped while writing it.", context.Shown(partial));
        }
    }

    /// <summary>At the end, before the report: this run's partials gone, its files owner-only, its key forgotten when done.</summary>
    public static void Close(DeployContext context)
    {
        foreach (var partial in Partials(context.Settings.BackupDir, $"*{context.RunId}*.partial"))
        {
            Delete(partial);
        }

        if (Directory.Exists(context.Settings.BackupDir))
        {
            PrivateFiles.CreateFolder(context.Settings.BackupDir);
            foreach (var file in Directory.GetFiles(context.Settings.BackupDir, $"*{context.RunId}*"))
            {
                PrivateFiles.Restrict(file);
            }
        }

        // Succeeded or fully undone: no undo will need the sealed values. (A Rollback --run forgets its run's key itself.)
        if (context.Settings.RunId is null && context.Outcome is RunOutcome.Succeeded or RunOutcome.RolledBack)
        {
            context.SecretStash.Forget();
        }
    }

    // A directory-format backup is written into a <name>.partial folder.
    private static IEnumerable<string> Partials(string folder, string pattern) =>
        Directory.Exists(folder) ? Directory.GetFileSystemEntries(folder, pattern) : [];

    private static void Delete(string partial)
    {
        if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        else File.Delete(partial);
    }
}
