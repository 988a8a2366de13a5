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
