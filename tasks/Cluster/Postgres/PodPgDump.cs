using TwisterLab.Cake.Data;

namespace TwisterLab.Cake.Cluster.Postgres;

/// <summary>
/// pg_dump -Fc run in the postgres pod over exec; its stdout is written, frame by frame, into the destination stream
/// (the backup gateway's hashing .partial file), never held here. Its stderr, redacted, is the diagnostics; the
/// snapshot's facts arrive on stderr after the archive (see <see cref="SnapshotDumpScript"/>).
/// </summary>
public sealed class PodPgDump(Pods pods, PodDatabase database, int compression) : ISnapshotDumpSource
{
    private string _stderr = string.Empty;
    private DatabaseFacts? _facts;

    public string Diagnostics => SecretRedactor.Redact(string.Join('\n', _stderr.Split('\n').Where(line => !line.StartsWith(InPodFacts.Tag, StringComparison.Ordinal))));

    public DatabaseFacts Facts => _facts ?? throw new InvalidOperationException("The dump has not run successfully yet.");

    public string Server => database.Where;

    public string Database => database.Database;

    public async Task<int> WriteDumpAsync(Stream destination, CancellationToken cancellationToken)
    {
        ExecResult result;
        try
        {
            result = await pods.ExecAsync(new ExecRequest(database.Deployment, SnapshotDumpScript.Command(database, compression), database.Container), destination, cancellationToken);
        }
        catch (ClusterException exception)
        {
            // A dropped stream is a failed backup: the gateway removes the partial file.
            throw new DataOperationException($"pg_dump in {database.Where} failed: {SecretRedactor.Redact(exception.Message).TrimEnd('.')}; no backup file was written.", exception);
        }

        _stderr = result.Stderr;
        if (result.ExitCode == 0)
        {
            // Read before the gateway renames the file, so that a backup without its facts never looks complete.
            _facts = InPodFacts.Parse(result.Stderr, database.Where);
        }

        return result.ExitCode;
    }
}
