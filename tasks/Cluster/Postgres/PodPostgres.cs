using TwisterLab.Cake.Data;

namespace TwisterLab.Cake.Cluster.Postgres;

/// <summary>
/// Backups, restores and integrity checks of a database in the cluster, run in its postgres pod over exec (the guide's
/// <c>kubectl exec deployment/postgres -- pg_dump/pg_restore/psql</c>). Archives travel as streams both ways: pg_dump's
/// stdout into the local file, the local file into pg_restore's stdin. This machine needs no database connection.
/// </summary>
public sealed class PodPostgres(Pods pods, PodDatabase database)
{
    public PodDatabase Database => database;

    /// <summary>The dump source for <see cref="PostgresBackupGateway.BackupAsync(ISnapshotDumpSource, BackupOptions, CancellationToken)"/>.</summary>
    public PodPgDump Dump(int compression) => new(pods, database, compression);

    public string DescribeDump(string path, int compression) =>
        pods.DescribeExec(new ExecRequest(database.Deployment, ["pg_dump", "-U", database.User, "-Fc", $"-Z{compression}", database.Database], database.Container, StdoutFile: path));

    public string DescribeRestore(string path, string targetDatabase) =>
        pods.DescribeExec(RestoreRequest(path, targetDatabase, clean: true));

    /// <summary>Server version, alembic revision and exact row counts, read in one REPEATABLE READ transaction.</summary>
    public async Task<DatabaseFacts> FactsAsync(string? otherDatabase = null, CancellationToken cancellationToken = default)
    {
        var target = otherDatabase is null ? database : database.WithDatabase(otherDatabase);
        // Three -c in one session (psql before 15 prints only the last result of a multi-statement -c).
        var result = await RunAsync(Psql(target.Database, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", InPodFacts.Sql, "COMMIT"), "reading the row counts", cancellationToken);
        return InPodFacts.Parse(result.Stdout, target.Where);
    }

    /// <summary>
    /// Restores a verified archive (checksum against its manifest first) by streaming it into pg_restore's stdin,
    /// <c>--clean --if-exists --single-transaction</c> when <paramref name="clean"/>, so a failure changes nothing;
    /// a <c>.sql</c> file goes to psql in one transaction. Then the row counts in the pod must match the manifest.
    /// </summary>
    /// <param name="dropTablesNotInBackup">First drop the tables the manifest does not name, so the database ends exactly as backed up.</param>
    /// <param name="progress">Counts the archive's bytes as they stream into the pod.</param>
    public async Task<DatabaseFacts> RestoreAsync(string backupPath, string? targetDatabase = null, bool clean = true, bool dropTablesNotInBackup = false, CancellationToken cancellationToken = default, Progress.ProgressMeter? progress = null)
    {
        var into = targetDatabase ?? database.Database;
        var manifest = await BackupManifest.ReadAsync(backupPath, cancellationToken);
        await PostgresBackupGateway.VerifyChecksumAsync(backupPath, manifest, cancellationToken);
        if (dropTablesNotInBackup)
        {
            await DropTablesNotInAsync(manifest, into, cancellationToken);
        }

        await RunAsync(RestoreRequest(backupPath, into, clean) with { Progress = progress }, $"restoring {Path.GetFileName(backupPath)} into {into}", cancellationToken);

        var after = await FactsAsync(into, cancellationToken);
        var restored = new IntegritySnapshot(after.TableRows.Select(table => new TableIntegrity(table.Key, table.Value, null)).ToList(), after.AlembicRevision);
        // Tables the backup does not know (added by a later migration) stay unless dropTablesNotInBackup: as on the direct path.
        var differences = restored.CompareTo(manifest.ToIntegritySnapshot()).Where(difference => difference.Problem != "unexpected table").ToList();
        if (differences.Count > 0)
        {
            throw new DataOperationException($"Restored {into} in {database.Where} differs from the backup manifest ({string.Join("; ", differences.Take(5).Select(d => $"{d.Table}: {d.Problem}"))}): restore again from a verified backup.");
        }

        return after;
    }

    /// <summary>
    /// <c>pg_restore --list</c> in the pod, the archive streamed to its stdin (it reads the table of contents at the
    /// start and stops: the rest is not sent). For a machine without PostgreSQL client tools. At most 64 KiB of the
    /// listing comes back, enough to see that the archive has table data.
    /// </summary>
    public async Task<IReadOnlyList<string>> ListArchiveAsync(string backupPath, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync(new ExecRequest(database.Deployment, ["pg_restore", "--list"], database.Container, StdinFile: backupPath), $"listing {Path.GetFileName(backupPath)}", cancellationToken);
        return result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>The --verify-restore test through exec: restore into a scratch database in the pod, compare counts, drop it.</summary>
    public async Task RestoreTestAsync(string backupPath, CancellationToken cancellationToken = default)
    {
        var scratch = $"twl_verify_{Guid.NewGuid():N}"[..24];
        await RunAsync(Psql("postgres", $"CREATE DATABASE {Sql.Quote(scratch)}"), "creating the scratch database", cancellationToken);
        try
        {
            await RestoreAsync(backupPath, scratch, clean: false, cancellationToken: cancellationToken);
        }
        finally
        {
            await RunAsync(Psql("postgres", $"DROP DATABASE IF EXISTS {Sql.Quote(scratch)}"), "dropping the scratch database", CancellationToken.None);
        }
    }

    private async Task DropTablesNotInAsync(BackupManifest manifest, string into, CancellationToken cancellationToken)
    {
        var newer = (await FactsAsync(into, cancellationToken)).TableRows.Keys.Where(table => !manifest.TableRows.ContainsKey(table)).ToList();
        if (newer.Count > 0)
        {
            // Names come as schema.table; the schema is up to the first dot, as DatabaseCatalog builds them.
            var drops = newer.Select(table => $"DROP TABLE IF EXISTS {Sql.Quote(table[..table.IndexOf('.')])}.{Sql.Quote(table[(table.IndexOf('.') + 1)..])} CASCADE");
            await RunAsync(Psql(into, string.Join("; ", drops)), "dropping the tables the backup does not have", cancellationToken);
        }
    }

    private ExecRequest RestoreRequest(string path, string into, bool clean)
    {
        if (path.EndsWith(".sql", StringComparison.OrdinalIgnoreCase))
        {
            return new ExecRequest(database.Deployment, ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-U", database.User, "-d", into], database.Container, StdinFile: path);
        }

        // No archive argument: pg_restore reads stdin. Sequential (no -j): parallel restore needs a seekable file.
        List<string> command = ["pg_restore", "-U", database.User, "-d", into, "--exit-on-error", "--no-owner", "--single-transaction"];
        if (clean)
        {
            command.AddRange(["--clean", "--if-exists"]);
        }

        return new ExecRequest(database.Deployment, command, database.Container, StdinFile: path);
    }

    private ExecRequest Psql(string on, params string[] statements) =>
        new(database.Deployment, ["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-U", database.User, "-d", on, .. statements.SelectMany(sql => new[] { "-c", sql })], database.Container);

    private async Task<ExecResult> RunAsync(ExecRequest request, string what, CancellationToken cancellationToken)
    {
        ExecResult result;
        try
        {
            result = await pods.ExecAsync(request, cancellationToken);
        }
        catch (ClusterException exception)
        {
            throw new DataOperationException($"{Capitalized(what)} in {database.Where} failed: {SecretRedactor.Redact(exception.Message).TrimEnd('.')}.", exception);
        }

        if (result.ExitCode != 0)
        {
            throw new DataOperationException($"{Capitalized(what)} in {database.Where} failed (exit {result.ExitCode}): {LastLine(SecretRedactor.Redact(result.Stderr))}.");
        }

        return result;
    }

    private static string Capitalized(string text) => char.ToUpperInvariant(text[0]) + text[1..];

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault()?.TrimEnd('.') ?? "no error output";
}
