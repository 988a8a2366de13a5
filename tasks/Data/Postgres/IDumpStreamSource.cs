using TwisterLab.Cake.Tools;

namespace TwisterLab.Cake.Data;

/// <summary>
/// Produces the bytes of a pg_dump archive. The direct implementation runs pg_dump here; the cluster layer adds one
/// that runs it in the postgres pod over a Kubernetes exec. Implementations stream: the archive is never held in memory.
/// </summary>
public interface IDumpStreamSource
{
    /// <summary>Writes the archive to <paramref name="destination"/> and returns pg_dump's exit code.</summary>
    Task<int> WriteDumpAsync(Stream destination, CancellationToken cancellationToken);

    /// <summary>pg_dump's standard error after the run, for the failure message (already free of secrets).</summary>
    string Diagnostics { get; }
}

/// <summary>Creates a dump source for given pg_dump settings (format, compression, snapshot are decided by the backup).</summary>
public interface IDumpStreamSourceFactory
{
    IDumpStreamSource Create(PgDumpSettings settings);
}

/// <summary>
/// A dump source that also reports, from the very snapshot its archive was taken in, what the manifest records:
/// used where this machine has no connection of its own to the database (pg_dump and psql run in the postgres pod).
/// </summary>
public interface ISnapshotDumpSource : IDumpStreamSource
{
    /// <summary>The facts of the dumped snapshot; available after a successful <see cref="IDumpStreamSource.WriteDumpAsync"/>.</summary>
    DatabaseFacts Facts { get; }

    /// <summary>Where the database is, for the manifest (no secrets), e.g. "deployment/postgres in namespace twisterlab".</summary>
    string Server { get; }

    string Database { get; }
}

/// <summary>What a backup's manifest says about the database: per-table rows, server version and alembic revision.</summary>
public sealed record DatabaseFacts(string ServerVersion, IReadOnlyDictionary<string, long> TableRows, string? AlembicRevision);
