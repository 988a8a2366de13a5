namespace TwisterLab.Cake.Tools;

/// <summary>pg_restore options: restore into a database, or only list the archive's table of contents.</summary>
public sealed class PgRestoreSettings : PgToolSettings
{
    public required string ArchivePath { get; set; }

    /// <summary>Print the table of contents and touch no database (the cheap archive check).</summary>
    public bool List { get; set; }

    public int? Jobs { get; set; }

    /// <summary>--clean --if-exists: drop objects before recreating them (restore into an existing database).</summary>
    public bool Clean { get; set; }

    /// <summary>All or nothing (not combinable with jobs).</summary>
    public bool SingleTransaction { get; set; }

    public bool NoOwner { get; set; } = true;

    public bool ExitOnError { get; set; } = true;
}
