using TwisterLab.Cake.Tools;

namespace TwisterLab.Cake.Data;

/// <summary>
/// How to back up. Defaults: custom format at compression level 1. The guide's literal <c>pg_dump -Fc</c> uses level 6,
/// which on our benchmark was several times slower for a dump a few percent smaller; custom format keeps the
/// single-file archive the guide restores with pg_restore, and streams (in-cluster exec) where the directory format cannot.
/// Use <see cref="PgDumpFormat.Directory"/> with <see cref="Jobs"/> for large databases dumped from this machine.
/// </summary>
public sealed record BackupOptions(string OutputPath)
{
    public PgDumpFormat Format { get; init; } = PgDumpFormat.Custom;
    public int Compression { get; init; } = 1;
    public int Jobs { get; init; } = 2;

    /// <summary>The cluster, namespace and environment the backup belongs to, written into its manifest.</summary>
    public Cluster.ClusterBinding? Cluster { get; init; }

    /// <summary>Counts the archive's bytes as they are written (bytes, rate), when a run shows progress.</summary>
    public Progress.ProgressMeter? Progress { get; init; }

    public static string DefaultsReason =>
        "custom format -Z1: streamable single file like the guide's -Fc, level 1 instead of the default 6 because compression dominated dump time on our benchmark";

    /// <summary>Jobs for a directory-format dump or restore run on this machine: one per core, as pg_dump's own docs suggest.</summary>
    public static int DirectJobs => Math.Max(2, Environment.ProcessorCount);

    /// <summary>Why these options, for the manifest.</summary>
    public string Reason => Format == PgDumpFormat.Directory
        ? $"directory format -j{Jobs} -Z{Compression} (direct connection): pg_dump and pg_restore work on a table per job, several times faster than the guide's -Fc at level 6 on our benchmark; a folder, which only a direct backup can write (exec streams the custom format)"
        : DefaultsReason;
}

/// <summary>Verify options: <see cref="RestoreInto"/> names a server (maintenance database) where a scratch database may be created for a restore test.</summary>
public sealed record VerifyOptions
{
    public PostgresTarget? RestoreInto { get; init; }

    /// <summary>
    /// Who runs <c>pg_restore --list</c> on the archive; null = pg_restore on this machine. The in-cluster path passes
    /// the pod's pg_restore (the archive streamed to its stdin) when this machine has no PostgreSQL client tools.
    /// </summary>
    public Func<string, CancellationToken, Task<IReadOnlyList<string>>>? ListArchive { get; init; }
    public int Jobs { get; init; } = 2;

    /// <summary>The cluster, namespace and environment the backup belongs to, written into its manifest.</summary>
    public Cluster.ClusterBinding? Cluster { get; init; }
}

/// <param name="PhaseSeconds">Where the time went, phase by phase in order (empty when the dump ran elsewhere), for the run report.</param>
public sealed record BackupResult(string Path, BackupManifest Manifest, IReadOnlyList<(string Name, double Seconds)>? PhaseSeconds = null);
