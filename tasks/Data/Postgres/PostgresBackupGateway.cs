using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using TwisterLab.Cake.Tools;

namespace TwisterLab.Cake.Data;

/// <summary>
/// Verified pg_dump backups with a manifest. Backup never modifies the database. Verification never trusts the
/// archive alone: the manifest's SHA-256 catches truncation and corruption, <c>pg_restore --list</c> catches a
/// file that is not an archive, and the optional restore test compares row counts in a scratch database.
/// </summary>
public sealed class PostgresBackupGateway(IDumpStreamSourceFactory? sources = null, Func<string, Stream>? openDestination = null)
{
    private readonly IDumpStreamSourceFactory _sources = sources ?? new LocalPgDumpFactory();
    // FileMode.Create: the .partial name is ours, a leftover from a killed run is simply replaced.
    // Owner-only (0600): an archive is the whole database.
    private readonly Func<string, Stream> _openDestination = openDestination ?? (path => new FileStream(path, OwnerOnly(new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 << 20 })));

    private static FileStreamOptions OwnerOnly(FileStreamOptions options)
    {
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return options;
    }

    public async Task<BackupResult> BackupAsync(PostgresTarget target, BackupOptions options, CancellationToken cancellationToken = default)
    {
        if (File.Exists(options.OutputPath) || Directory.Exists(options.OutputPath))
            throw new DataOperationException($"Backup path {options.OutputPath} already exists: choose a new file name; backups are never overwritten.");
        var started = Stopwatch.StartNew();
        var phases = new PhaseLaps();
        await using var connection = await PostgresErrors.OpenAsync(target, cancellationToken);
        // One REPEATABLE READ snapshot, exported to pg_dump: the manifest counts exactly the rows the archive holds,
        // even while the application keeps writing.
        await using var snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var snapshotId = await ScalarAsync<string>(connection, "SELECT pg_export_snapshot()", cancellationToken);
        var settings = DumpSettings(target, options, snapshotId);
        phases.Lap("connect, snapshot");

        // Everything else the manifest says of the database is read in the same snapshot while pg_dump runs.
        var counting = SnapshotFactsAsync(connection, cancellationToken);
        (long, string, IReadOnlyDictionary<string, string>?) dumped;
        try
        {
            dumped = options.Format == PgDumpFormat.Directory
                ? await DumpToDirectoryAsync(settings, options, phases, cancellationToken)
                : await DumpToFileAsync(_sources.Create(settings), options, cancellationToken);
            if (options.Format != PgDumpFormat.Directory) phases.Lap("pg_dump, hashed as written");
        }
        catch
        {
            // The dump's error is the one to report; the count still running on the connection is only waited for.
            try { await counting; } catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException) { }
            throw;
        }
        var (size, sha, files) = dumped;
        (Dictionary<string, long>, string, string?) facts;
        try
        {
            facts = await counting;
        }
        catch
        {
            // An archive without its manifest is never a backup: it goes with the error.
            Remove(options.OutputPath);
            throw;
        }
        var (counts, serverVersion, alembicRevision) = facts;
        phases.Lap("catalog, row counts, versions: left to wait for");

        var manifest = new BackupManifest
        {
            Database = target.Database,
            Server = $"{target.Host}:{target.Port}",
            ServerVersion = serverVersion,
            Format = options.Format.ToString().ToLowerInvariant(),
            Compression = options.Compression,
            Jobs = options.Format == PgDumpFormat.Directory ? options.Jobs : null,
            OptionsReason = options.Reason,
            SizeBytes = size,
            Sha256 = sha,
            Files = files,
            TableRows = counts,
            AlembicRevision = alembicRevision,
            CreatedAt = DateTimeOffset.UtcNow,
            DurationSeconds = started.Elapsed.TotalSeconds,
            Cluster = options.Cluster,
        };
        await snapshot.CommitAsync(cancellationToken);
        await manifest.WriteAsync(options.OutputPath, cancellationToken);
        phases.Lap("manifest");
        return new BackupResult(options.OutputPath, manifest, phases.Laps);
    }

    /// <summary>
    /// The tables and their exact row counts, the server's version and the Alembic revision, read on the connection
    /// that exported pg_dump's snapshot (so of the rows the archive holds), beside the dump.
    /// </summary>
    private static async Task<(Dictionary<string, long> Counts, string ServerVersion, string? AlembicRevision)> SnapshotFactsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        // Off pg_dump's critical path, parallel workers would only take CPU from the dump (a parallel index-only count
        // of 3M rows costs about twice the CPU of a serial one). For this transaction only.
        await using (var serial = new NpgsqlCommand("SET LOCAL max_parallel_workers_per_gather = 0", connection)) await serial.ExecuteNonQueryAsync(cancellationToken);
        var tables = await DatabaseCatalog.TablesAsync(connection, cancellationToken);
        var counts = await DatabaseCatalog.RowCountsAsync(connection, tables, cancellationToken);
        return (counts, await DatabaseCatalog.ServerVersionAsync(connection, cancellationToken), await SchemaVersion.ReadAsync(connection, cancellationToken));
    }

    /// <summary>
    /// A backup whose pg_dump runs elsewhere (in the postgres pod, over exec) and reports the facts of its own snapshot.
    /// The archive is streamed to <c>&lt;path&gt;.partial</c>, hashed on the way, and renamed only after pg_dump exited 0
    /// and the facts arrived: a dropped connection, a failed pg_dump or a full disk leave no file behind.
    /// Only the custom format streams; the directory format needs pg_dump to write the files itself.
    /// </summary>
    public async Task<BackupResult> BackupAsync(ISnapshotDumpSource source, BackupOptions options, CancellationToken cancellationToken = default)
    {
        if (options.Format != PgDumpFormat.Custom)
            throw new DataOperationException($"A {options.Format.ToString().ToLowerInvariant()}-format backup cannot be streamed from the cluster: use the custom format, or pass --database-url to dump from this machine.");
        if (File.Exists(options.OutputPath) || Directory.Exists(options.OutputPath))
            throw new DataOperationException($"Backup path {options.OutputPath} already exists: choose a new file name; backups are never overwritten.");
        var started = Stopwatch.StartNew();
        var (size, sha, _) = await DumpToFileAsync(source, options, cancellationToken);
        var facts = source.Facts;
        var manifest = new BackupManifest
        {
            Database = source.Database,
            Server = source.Server,
            ServerVersion = facts.ServerVersion,
            Format = options.Format.ToString().ToLowerInvariant(),
            Compression = options.Compression,
            OptionsReason = options.Reason,
            SizeBytes = size,
            Sha256 = sha,
            TableRows = facts.TableRows,
            AlembicRevision = facts.AlembicRevision,
            CreatedAt = DateTimeOffset.UtcNow,
            DurationSeconds = started.Elapsed.TotalSeconds,
            Cluster = options.Cluster,
        };
        await manifest.WriteAsync(options.OutputPath, cancellationToken);
        return new BackupResult(options.OutputPath, manifest);
    }

    /// <summary>Removes a backup this run took and no longer needs: its archive (file or folder) and its manifest.</summary>
    public static void Remove(string backupPath)
    {
        if (Directory.Exists(backupPath)) Directory.Delete(backupPath, recursive: true);
        TryDelete(backupPath);
        TryDelete(BackupManifest.PathFor(backupPath));
    }

    /// <summary>Checksum + <c>pg_restore --list</c>; with <see cref="VerifyOptions.RestoreInto"/> also a restore test.</summary>
    public async Task<BackupManifest> VerifyAsync(string backupPath, VerifyOptions? options = null, CancellationToken cancellationToken = default)
    {
        var manifest = await BackupManifest.ReadAsync(backupPath, cancellationToken);
        await VerifyChecksumAsync(backupPath, manifest, cancellationToken);
        await ListAndRestoreTestAsync(backupPath, manifest, options, cancellationToken);
        return manifest;
    }

    private static async Task ListAndRestoreTestAsync(string backupPath, BackupManifest manifest, VerifyOptions? options, CancellationToken cancellationToken)
    {
        var toc = options?.ListArchive is { } list ? await list(backupPath, cancellationToken) : PgToolRun.ListArchive(backupPath);
        if (!toc.Any(line => line.Contains(" TABLE DATA ", StringComparison.Ordinal)) && manifest.TableRows.Count > 0)
            throw new DataOperationException($"Backup {backupPath} lists no table data although the manifest names {manifest.TableRows.Count} tables: take a new backup.");
        if (options?.RestoreInto is { } server) await RestoreTestAsync(backupPath, manifest, server, options.Jobs, cancellationToken);
    }

    /// <summary>
    /// Verifies a backup this process has just written and hashed: its size on disk (and for a folder, its list of
    /// files) against the manifest, and <c>pg_restore --list</c>, without reading the archive a second time — its
    /// SHA-256 was taken from the very bytes written a moment ago. Every later use (ChooseBackup, restore) checks the
    /// full SHA-256 again, once per process while its files stay as they were (<see cref="HashedArchives"/>).
    /// </summary>
    public async Task<BackupManifest> VerifyJustWrittenAsync(BackupResult written, VerifyOptions? options = null, CancellationToken cancellationToken = default)
    {
        var manifest = await BackupManifest.ReadAsync(written.Path, cancellationToken);
        if (manifest.Sha256 != written.Manifest.Sha256 || manifest.SizeBytes != written.Manifest.SizeBytes)
            throw new DataOperationException($"Backup manifest of {written.Path} was replaced since it was written: take a new backup.");
        var isFolder = Directory.Exists(written.Path);
        var onDisk = isFolder ? Directory.GetFiles(written.Path) : File.Exists(written.Path) ? [written.Path] : [];
        var size = onDisk.Sum(file => new FileInfo(file).Length);
        var sameFiles = !isFolder || onDisk.Select(Path.GetFileName).Order(StringComparer.Ordinal).SequenceEqual(manifest.Files?.Keys ?? []);
        if (onDisk.Length == 0 || size != manifest.SizeBytes || !sameFiles)
            throw new DataOperationException($"Backup {written.Path} is {size} bytes, its manifest says {manifest.SizeBytes} (truncated or replaced): take a new backup.");
        await ListAndRestoreTestAsync(written.Path, manifest, options, cancellationToken);
        return manifest;
    }

    public static async Task VerifyChecksumAsync(string backupPath, BackupManifest manifest, CancellationToken cancellationToken)
    {
        if (HashedArchives.Unchanged(backupPath, manifest.Sha256))
        {
            return;
        }

        var (size, sha, _) = Directory.Exists(backupPath) ? await HashDirectoryAsync(backupPath, cancellationToken)
            : File.Exists(backupPath) ? (new FileInfo(backupPath).Length, await HashFileAsync(backupPath, cancellationToken), null)
            : throw new DataOperationException($"Backup {backupPath} does not exist: check the path or take a new backup.");
        if (size != manifest.SizeBytes)
            throw new DataOperationException($"Backup {backupPath} is {size} bytes, its manifest says {manifest.SizeBytes} (truncated or replaced): take a new backup.");
        if (sha != manifest.Sha256)
            throw new DataOperationException($"Backup {backupPath} fails its SHA-256 check (corrupted since it was written): take a new backup.");
        HashedArchives.Remember(backupPath, sha);
    }

    private static async Task RestoreTestAsync(string backupPath, BackupManifest manifest, PostgresTarget server, int jobs, CancellationToken cancellationToken)
    {
        var scratch = server.WithDatabase($"twl_verify_{Guid.NewGuid():N}"[..24]);
        await ScratchDatabase.CreateAsync(scratch, cancellationToken);
        try
        {
            var settings = new PgRestoreSettings { ArchivePath = backupPath, Jobs = jobs };
            settings.ConnectTo(scratch);
            PgToolRun.Restore(settings);
            var restored = await IntegritySnapshotter.TakeAsync(scratch, withChecksums: false, cancellationToken);
            var expected = new IntegritySnapshot(manifest.TableRows.Select(t => new TableIntegrity(t.Key, t.Value, null)).ToList(), manifest.AlembicRevision);
            var differences = restored.CompareTo(expected);
            if (differences.Count > 0)
                throw new DataOperationException($"Restore test of {backupPath} differs from its manifest ({string.Join("; ", differences.Take(5).Select(d => $"{d.Table}: {d.Problem}"))}): take a new backup.");
        }
        finally
        {
            await ScratchDatabase.DropAsync(scratch, CancellationToken.None);
        }
    }

    private PgDumpSettings DumpSettings(PostgresTarget target, BackupOptions options, string snapshotId)
    {
        var settings = new PgDumpSettings
        {
            Format = options.Format,
            Compression = options.Compression,
            Jobs = options.Jobs,
            Snapshot = snapshotId,
            OutputPath = options.Format == PgDumpFormat.Directory ? options.OutputPath + ".partial" : null,
        };
        settings.ConnectTo(target);
        return settings;
    }

    private async Task<(long, string, IReadOnlyDictionary<string, string>?)> DumpToFileAsync(IDumpStreamSource source, BackupOptions options, CancellationToken cancellationToken)
    {
        var partial = options.OutputPath + ".partial";
        try
        {
            int exitCode;
            long size;
            string sha;
            await using (var file = _openDestination(partial))
            await using (var hashing = new HashingStream(new TwisterLab.Cake.Progress.ProgressStream(file, options.Progress, leaveOpen: true)))
            {
                exitCode = await source.WriteDumpAsync(hashing, cancellationToken);
                await hashing.FlushAsync(cancellationToken);
                size = hashing.BytesWritten;
                sha = hashing.Sha256();
            }
            if (exitCode != 0)
                throw new DataOperationException($"pg_dump failed (exit {exitCode}): {LastLine(source.Diagnostics)}; nothing was written to {options.OutputPath}.");
            File.Move(partial, options.OutputPath);
            return (size, sha, null);
        }
        catch (IOException ex) when (IsDiskFull(ex))
        {
            throw new DataOperationException($"Disk full writing backup {options.OutputPath} ({ex.Message.TrimEnd('.')}): free disk space or choose another folder, then retry; the partial file was removed.", ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DataOperationException($"Writing backup {options.OutputPath} failed ({ex.Message.TrimEnd('.')}): check that the folder exists and is writable, then retry; the partial file was removed.", ex);
        }
        finally
        {
            TryDelete(partial);
        }
    }

    private static async Task<(long, string, IReadOnlyDictionary<string, string>?)> DumpToDirectoryAsync(PgDumpSettings settings, BackupOptions options, PhaseLaps phases, CancellationToken cancellationToken)
    {
        // pg_dump -Fd -j writes many files itself; it cannot stream, so this path exists only for direct connections.
        // It writes into <path>.partial, renamed when hashed: a killed run never leaves a folder that looks like a backup.
        var partial = settings.OutputPath!;
        using var process = Process.Start(PgToolLocator.StartInfo("pg_dump", PgDumpRunner.BuildArguments(settings), settings, redirectOutput: false))!;
        try
        {
            long size;
            SortedDictionary<string, string> files;
            using (var hashing = new GrowingFolderHash(partial))
            {
                var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
                var exited = process.WaitForExitAsync(cancellationToken);
                await hashing.FollowAsync(exited, cancellationToken);
                await exited;
                if (process.ExitCode != 0)
                    throw new DataOperationException($"pg_dump failed (exit {process.ExitCode}): {LastLine(SecretRedactor.Redact(await stderr))}; the partial backup folder was removed.");
                phases.Lap("pg_dump, hashed as written");
                (size, files) = await hashing.FinishAsync(cancellationToken);
            }

            OwnerOnlyFolder(partial);
            Directory.Move(partial, options.OutputPath);
            phases.Lap("sha256 of what was left");
            return (size, CombinedDigest(files), files);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            if (Directory.Exists(partial)) Directory.Delete(partial, recursive: true);
        }
    }

    // pg_dump creates the folder's files with the process umask (0644 as a rule): an archive is the whole database.
    private static void OwnerOnlyFolder(string folder)
    {
        if (OperatingSystem.IsWindows()) return;
        File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        foreach (var file in Directory.GetFiles(folder)) File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>
    /// A directory backup's SHA-256: over the lines "name sha256-of-file", one per file, sorted by name (ordinal) and
    /// joined by '\n' — so a renamed, added, removed or changed file changes it. Files are hashed in parallel.
    /// </summary>
    private static async Task<(long, string, IReadOnlyDictionary<string, string>?)> HashDirectoryAsync(string directory, CancellationToken cancellationToken)
    {
        var paths = Directory.GetFiles(directory);
        var hashes = new string[paths.Length];
        await Parallel.ForAsync(0, paths.Length, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken },
            async (i, token) => hashes[i] = await HashFileAsync(paths[i], token));
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < paths.Length; i++) files[Path.GetFileName(paths[i])] = hashes[i];
        var size = paths.Sum(path => new FileInfo(path).Length);
        return (size, CombinedDigest(files), files);
    }

    private static string CombinedDigest(SortedDictionary<string, string> files) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", files.Select(f => $"{f.Key} {f.Value}")))));

    private static async Task<string> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    // ENOSPC (28) / EDQUOT (122) on Unix, ERROR_DISK_FULL / ERROR_HANDLE_DISK_FULL on Windows.
    private static bool IsDiskFull(IOException ex) =>
        (ex.HResult & 0xFFFF) is 28 or 122 or 112 or 39 || ex.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "no error output";

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { }
    }
}
