using TwisterLab.Cake.Context;

namespace TwisterLab.Cake.Steps.PostgresUpgrade;

/// <summary>
/// Which way the data of a major upgrade moves: by logical replication while the API keeps writing (a pause of
/// seconds), or by the guide's dump/restore with writes refused for the whole copy. <see cref="ChooseCopyPath"/> decides
/// before any change; until then (a dry run) --pg-copy decides, and "auto" plans both.
/// </summary>
public static class CopyPath
{
    /// <summary>
    /// Seconds of write pause per million rows for a dump/restore: about 25 s for the 3M rows of issue 15's measurement on
    /// this project's machine (2 shared cores). An estimate for the plan, linear in size as the copy is.
    /// </summary>
    public const double DumpSecondsPerMillionRows = 9;

    /// <summary>True: replication; false: dump; null: not decided yet (auto, before the old server was read).</summary>
    public static bool? Chosen(DeployContext context) =>
        context.CopiesByReplication ?? context.Settings.PgCopy switch { "replication" => true, "dump" => false, _ => null };

    public static bool MayReplicate(DeployContext context) => Chosen(context) != false;

    public static bool MayDump(DeployContext context) => Chosen(context) != true;

    /// <summary>A plan line's condition, when the path is not decided yet.</summary>
    public static string IfReplication(DeployContext context) => Chosen(context) is null ? "[if wal_level = logical] " : string.Empty;

    public static string IfDump(DeployContext context) => Chosen(context) is null ? "[if wal_level <> logical] " : string.Empty;
}
