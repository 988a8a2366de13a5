using Npgsql;
using TwisterLab.Cake.Tools;

namespace TwisterLab.Cake.Data;

/// <summary>How to restore.</summary>
public sealed record RestoreOptions
{
    /// <summary>Parallel pg_restore jobs. 1 restores in a single transaction (all or nothing).</summary>
    public int Jobs { get; init; } = 1;

    /// <summary>
    /// Restore over an existing database (<c>--clean --if-exists</c>). The caller must hold a verified backup of it:
    /// with several jobs a failure leaves it half restored and that backup is the way back.
    /// </summary>
    public bool IntoExistingDatabase { get; init; }

    /// <summary>
    /// With <see cref="IntoExistingDatabase"/>: first drop the tables the backup's manifest does not name (created
    /// after the backup), so the database ends exactly as backed up instead of as the backup plus newer tables.
    /// </summary>
    public bool DropTablesNotInBackup { get; init; }
}

/// <summary>
/// What a restore did. <see cref="CreatedDatabase"/> is its undo: when true, dropping the database returns the server
/// to how it was; when false the undo is restoring the backup the caller took before.
/// </summary>
public sealed record RestoreResult(PostgresTarget Target, bool CreatedDatabase, IntegritySnapshot After)
{
    /// <summary>Where the time went, phase by phase, for the run's report.</summary>
    public IReadOnlyList<(string Name, double Seconds)> Phases { get; init; } = [];
}

/// <summary>Restores pg_dump archives with pg_restore and plain SQL with psql, then checks the result.</summary>
public sealed class PostgresRestoreGateway
{
    public async Task<RestoreResult> RestoreAsync(PostgresTarget target, string backupPath, RestoreOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new RestoreOptions();
        var phases = new PhaseLaps();
        var isPlainSql = backupPath.EndsWith(".sql", StringComparison.OrdinalIgnoreCase);
        var manifest = File.Exists(BackupManifest.PathFor(backupPath)) || !isPlainSql ? await BackupManifest.ReadAsync(backupPath, cancellationToken) : null;
        if (manifest is not null) await PostgresBackupGateway.VerifyChecksumAsync(backupPath, manifest, cancellationToken);
        phases.Lap("manifest, sha256");

        var created = await PrepareDatabaseAsync(target, options, cancellationToken);
        phases.Lap("database");
        try
        {
            if (options is { IntoExistingDatabase: true, DropTablesNotInBackup: true } && manifest is not null) await DropTablesNotInAsync(target, manifest, cancellationToken);
            if (isPlainSql) RunPsql(target, backupPath);
            else RunPgRestore(target, backupPath, options);
            phases.Lap(isPlainSql ? "psql" : "pg_restore");
            var after = await IntegritySnapshotter.TakeAsync(target, withChecksums: false, cancellationToken);
            if (manifest is not null) EnsureMatches(after, manifest, target);
            phases.Lap("row counts against the manifest");
            return new RestoreResult(target, created, after) { Phases = phases.Laps };
        }
        catch when (created)
        {
            await ScratchDatabase.DropAsync(target, CancellationToken.None);
            throw;
        }
    }

    private static async Task<bool> PrepareDatabaseAsync(PostgresTarget target, RestoreOptions options, CancellationToken cancellationToken)
    {
        // Over an existing database the run already holds a pooled connection to it: reaching it answers, where the
        // maintenance database would cost a connection (and Npgsql's type loading) of its own.
        if (options.IntoExistingDatabase && await ExistsAsync(target, cancellationToken))
        {
            return false;
        }

        bool exists;
        await using (var maintenance = await PostgresErrors.OpenAsync(target.Maintenance, cancellationToken))
            exists = await DatabaseCatalog.DatabaseExistsAsync(maintenance, target.Database, cancellationToken);
        if (!exists)
        {
            await ScratchDatabase.CreateAsync(target, cancellationToken);
            return true;
        }
        if (options.IntoExistingDatabase) return false;
        await using var connection = await PostgresErrors.OpenAsync(target, cancellationToken);
        if ((await DatabaseCatalog.TablesAsync(connection, cancellationToken)).Count > 0)
            throw new DataOperationException($"Database {target.Database} already has tables: restore into a new database, or pass IntoExistingDatabase after taking a verified backup of it.");
        return false;
    }

    private static async Task<bool> ExistsAsync(PostgresTarget target, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await PostgresErrors.OpenAsync(target, cancellationToken);
            return true;
        }
        catch (DataOperationException exception) when (exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName })
        {
            return false;
        }
    }

    private static async Task DropTablesNotInAsync(PostgresTarget target, BackupManifest manifest, CancellationToken cancellationToken)
    {
        await using var connection = await PostgresErrors.OpenAsync(target, cancellationToken);
        foreach (var table in (await DatabaseCatalog.TablesAsync(connection, cancellationToken)).Where(table => !manifest.TableRows.ContainsKey(table.QualifiedName)))
        {
            await using var drop = new NpgsqlCommand($"DROP TABLE IF EXISTS {table.Quoted} CASCADE", connection);
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static void RunPgRestore(PostgresTarget target, string archivePath, RestoreOptions options)
    {
        var settings = new PgRestoreSettings
        {
            ArchivePath = archivePath,
            Jobs = options.Jobs,
            Clean = options.IntoExistingDatabase,
            SingleTransaction = options.Jobs <= 1,
        };
        settings.ConnectTo(target);
        PgToolRun.Restore(settings);
    }

    private static void RunPsql(PostgresTarget target, string sqlPath)
    {
        if (!File.Exists(sqlPath)) throw new DataOperationException($"SQL file {sqlPath} does not exist: check the path.");
        var settings = new PsqlSettings { File = sqlPath, StopOnError = true, SingleTransaction = true };
        settings.ConnectTo(target);
        PgToolRun.Psql(settings);
    }

    private static void EnsureMatches(IntegritySnapshot after, BackupManifest manifest, PostgresTarget target)
    {
        var expected = new IntegritySnapshot(manifest.TableRows.Select(t => new TableIntegrity(t.Key, t.Value, null)).ToList(), manifest.AlembicRevision);
        var differences = after.CompareTo(expected).Where(d => d.Problem != "unexpected table").ToList();
        if (differences.Count > 0)
            throw new DataOperationException($"Restored {target.Database} differs from the backup manifest ({string.Join("; ", differences.Take(5).Select(d => $"{d.Table}: {d.Problem}"))}): restore again from a verified backup.");
    }
}
