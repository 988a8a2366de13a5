using Cake.Core.IO;

namespace TwisterLab.Cake.Tools;

public enum PgDumpFormat
{
    Custom,
    Directory,
    Plain,
    Tar,
}

/// <summary>pg_dump options the deploy steps use.</summary>
public sealed class PgDumpSettings : PgToolSettings
{
    public PgDumpFormat Format { get; set; } = PgDumpFormat.Custom;

    /// <summary>0-9; null keeps pg_dump's default (6 for custom/directory: slow on large databases).</summary>
    public int? Compression { get; set; }

    /// <summary>Parallel dump; directory format only.</summary>
    public int? Jobs { get; set; }

    /// <summary>File or (directory format) folder; null writes to standard output.</summary>
    public string? OutputPath { get; set; }

    /// <summary>An exported snapshot (pg_export_snapshot) so the dump sees exactly what the manifest counted.</summary>
    public string? Snapshot { get; set; }

    public bool NoOwner { get; set; }

    /// <summary>--schema-only: tables, sequences, indexes and constraints without a row (a subscription copies the rows).</summary>
    public bool SchemaOnly { get; set; }

    /// <summary>--no-privileges: no GRANTs naming the source's roles.</summary>
    public bool NoPrivileges { get; set; }

    /// <summary>--clean --if-exists: a plain dump that first drops each object it recreates.</summary>
    public bool Clean { get; set; }
}
