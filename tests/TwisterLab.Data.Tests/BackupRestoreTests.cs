using TwisterLab.Cake.Data;
using TwisterLab.Cake.Tools;

namespace TwisterLab.Data.Tests;

public sealed class BackupRestoreTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("twl-backup-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<PostgresTarget> SampleAsync()
    {
        var db = await postgres.CreateDatabaseAsync("src");
        await PostgresFixture.ExecuteAsync(db, SampleSchema.Sql);
        return db;
    }

    [Fact]
    public async Task Backup_writes_a_manifest_that_verifies_and_restores_to_the_same_content()
    {
        var source = await SampleAsync();
        var path = Path.Combine(_folder, "pre_upgrade.dump");
        var result = await new PostgresBackupGateway().BackupAsync(source, new BackupOptions(path));

        var manifest = await BackupManifest.ReadAsync(path);
        Assert.Equal(2000, manifest.TableRows["public.tickets"]);
        Assert.Equal(3, manifest.TableRows["public.Order Lines"]);
        Assert.Equal("a1b2c3d4e5f6", manifest.AlembicRevision);
        Assert.Equal(new FileInfo(path).Length, manifest.SizeBytes);
        Assert.StartsWith("15", manifest.ServerVersion);
        Assert.Equal(result.Manifest.Sha256, manifest.Sha256);
        Assert.DoesNotContain(postgres.Server.Password, await File.ReadAllTextAsync(BackupManifest.PathFor(path)));

        await new PostgresBackupGateway().VerifyAsync(path, new VerifyOptions { RestoreInto = postgres.Server.Target() });

        var restoredTarget = postgres.Server.Target($"restored_{Guid.NewGuid():N}"[..20]);
        var restored = await new PostgresRestoreGateway().RestoreAsync(restoredTarget, path, new RestoreOptions { Jobs = 2 });
        Assert.True(restored.CreatedDatabase);
        var before = await IntegritySnapshotter.TakeAsync(source);
        var after = await IntegritySnapshotter.TakeAsync(restoredTarget);
        Assert.Empty(after.CompareTo(before));
        Assert.Equal(before.Tables.Select(t => t.Checksum), after.Tables.Select(t => t.Checksum));
    }

    [Fact]
    public async Task Directory_format_is_verified_without_rereading_restored_with_jobs_and_refused_when_damaged()
    {
        var source = await SampleAsync();
        var path = Path.Combine(_folder, "big");
        var written = await new PostgresBackupGateway().BackupAsync(source, new BackupOptions(path) { Format = PgDumpFormat.Directory, Jobs = 2 });
        Assert.Equal([Path.GetFileName(path)], Directory.GetDirectories(_folder).Select(Path.GetFileName)); // no .partial folder left
        Assert.Contains("directory format -j2", written.Manifest.OptionsReason);
        var manifest = await new PostgresBackupGateway().VerifyJustWrittenAsync(written, new VerifyOptions { RestoreInto = postgres.Server.Target() });
        Assert.Equal(manifest.Sha256, (await new PostgresBackupGateway().VerifyAsync(path)).Sha256);
        Assert.NotNull(manifest.Files);

        // Restored with two jobs (a folder cannot be restored in one transaction and in parallel at once), content equal.
        var restoredTarget = postgres.Server.Target($"restored_{Guid.NewGuid():N}"[..20]);
        await new PostgresRestoreGateway().RestoreAsync(restoredTarget, path, new RestoreOptions { Jobs = 2 });
        Assert.Equal((await IntegritySnapshotter.TakeAsync(source)).Tables, (await IntegritySnapshotter.TakeAsync(restoredTarget)).Tables);

        // A changed byte is found by the full check; a removed file even by the quick check of a just-written backup.
        var data = Path.Combine(path, manifest.Files!.Keys.First(k => k.EndsWith(".dat.gz")));
        var bytes = await File.ReadAllBytesAsync(data);
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(data, bytes);
        var flipped = await Assert.ThrowsAsync<DataOperationException>(() => new PostgresBackupGateway().VerifyAsync(path));
        Assert.Contains("fails its SHA-256 check", flipped.Message);
        var refused = await Assert.ThrowsAsync<DataOperationException>(() => new PostgresRestoreGateway().RestoreAsync(postgres.Server.Target("never_created_dir"), path, new RestoreOptions { Jobs = 2 }));
        Assert.Contains("take a new backup", refused.Message);
        File.AppendAllText(data, "x");
        var error = await Assert.ThrowsAsync<DataOperationException>(() => new PostgresBackupGateway().VerifyAsync(path));
        Assert.Contains("truncated or replaced", error.Message);
        File.Delete(data);
        var missing = await Assert.ThrowsAsync<DataOperationException>(() => new PostgresBackupGateway().VerifyJustWrittenAsync(written));
        Assert.Contains("truncated or replaced", missing.Message);
    }

    [Theory]
    [InlineData("truncate")]
    [InlineData("flip")]
    public async Task A_truncated_or_corrupted_dump_is_always_detected(string damage)
    {
        var source = await SampleAsync();
        var path = Path.Combine(_folder, $"{damage}.dump");
        await new PostgresBackupGateway().BackupAsync(source, new BackupOptions(path));
        var bytes = await File.ReadAllBytesAsync(path);
        if (damage == "truncate") bytes = bytes[..(bytes.Length * 2 / 3)];
        else bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(path, bytes);

        var error = await Assert.ThrowsAsync<DataOperationException>(() => new PostgresBackupGateway().VerifyAsync(path));
        Assert.Contains("take a new backup", error.Message);
        var restoreError = await Assert.ThrowsAsync<DataOperationException>(() =>
            new PostgresRestoreGateway().RestoreAsync(postgres.Server.Target("never_created"), path));
        Assert.Contains("take a new backup", restoreError.Message);
    }

    /// <summary>
    /// Rows written while the backup runs are in neither the archive nor the manifest: the counts are taken in the
    /// snapshot pg_dump imports, so the restore matches its manifest exactly.
    /// </summary>
    [Fact]
    public async Task The_manifest_counts_the_rows_of_the_archive_while_the_application_keeps_writing()
    {
        var source = await SampleAsync();
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            var written = 0;
            while (!stop.IsCancellationRequested)
            {
                await PostgresFixture.ExecuteAsync(source, "INSERT INTO tickets (agent_id, body) SELECT id, 'during' FROM agents LIMIT 1");
                written++;
            }

            return written;
        });
        await PostgresFixture.ExecuteAsync(source, "SELECT 1"); // the writer is under way
        var path = Path.Combine(_folder, "busy");
        var result = await new PostgresBackupGateway().BackupAsync(source, new BackupOptions(path) { Format = PgDumpFormat.Directory, Jobs = 2 });
        await Task.Delay(50);
        stop.Cancel();
        Assert.True(await writer > 0);

        var total = await PostgresFixture.ScalarAsync<long>(source, "SELECT count(*) FROM tickets");
        Assert.True(total > result.Manifest.TableRows["public.tickets"], "rows were written after the snapshot");
        var restored = postgres.Server.Target($"busy_{Guid.NewGuid():N}"[..20]);
        await new PostgresRestoreGateway().RestoreAsync(restored, path, new RestoreOptions { Jobs = 2 }); // checks the counts itself
        Assert.Equal(result.Manifest.TableRows["public.tickets"], await PostgresFixture.ScalarAsync<long>(restored, "SELECT count(*) FROM tickets"));
    }

    /// <summary>
    /// A backup this process verified is not read again while its files keep their size and time of last write: a byte
    /// changed behind the file's time is not seen (what proves the second read was skipped), the same change with the
    /// time a write gives it is.
    /// </summary>
    [Fact]
    public async Task A_verified_backup_is_hashed_again_only_when_a_file_of_it_changed()
    {
        var source = await SampleAsync();
        var path = Path.Combine(_folder, "hashed.dump");
        await new PostgresBackupGateway().BackupAsync(source, new BackupOptions(path));
        var written = DateTime.UtcNow.AddMinutes(-1);
        File.SetLastWriteTimeUtc(path, written);
        await new PostgresBackupGateway().VerifyAsync(path);

        var bytes = await File.ReadAllBytesAsync(path);
        bytes[bytes.Length / 2] ^= 0x40;
        await File.WriteAllBytesAsync(path, bytes);
        File.SetLastWriteTimeUtc(path, written);
        await new PostgresBackupGateway().VerifyAsync(path);

        File.SetLastWriteTimeUtc(path, DateTime.UtcNow);
        var error = await Assert.ThrowsAsync<DataOperationException>(() => new PostgresBackupGateway().VerifyAsync(path));
        Assert.Contains("fails its SHA-256 check", error.Message);
    }

    [Fact]
    public async Task A_full_disk_while_writing_fails_in_one_line_and_leaves_no_file()
    {
        var source = await SampleAsync();
        var path = Path.Combine(_folder, "full.dump");
        var gateway = new PostgresBackupGateway(openDestination: p => new FullDiskStream(new FileStream(p, FileMode.CreateNew), capacity: 4096));
        var error = await Assert.ThrowsAsync<DataOperationException>(() => gateway.BackupAsync(source, new BackupOptions(path)));
        Assert.StartsWith("Disk full writing backup", error.Message);
        Assert.DoesNotContain('\n', error.Message);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task Wrong_password_and_unreachable_server_are_one_line_errors_without_secrets()
    {
        var wrong = PostgresTarget.Parse($"postgresql://postgres:not-the-password@127.0.0.1:{postgres.Server.Port}/postgres");
        var error = await Assert.ThrowsAsync<DataOperationException>(() => new PostgresBackupGateway().BackupAsync(wrong, new BackupOptions(Path.Combine(_folder, "a.dump"))));
        Assert.StartsWith("Authentication failed", error.Message);
        Assert.DoesNotContain("not-the-password", error.ToString());

        var closedPort = PostgresTarget.Parse("postgresql://postgres:pw@127.0.0.1:1/postgres");
        var unreachable = await Assert.ThrowsAsync<DataOperationException>(() => IntegritySnapshotter.TakeAsync(closedPort));
        Assert.StartsWith("Cannot reach", unreachable.Message);
        Assert.Empty(Directory.GetFiles(_folder));
    }

    [Fact]
    public async Task Restore_refuses_a_database_with_tables_unless_asked_and_then_cleans_it()
    {
        var source = await SampleAsync();
        var path = Path.Combine(_folder, "b.dump");
        await new PostgresBackupGateway().BackupAsync(source, new BackupOptions(path));
        await PostgresFixture.ExecuteAsync(source, "DELETE FROM tickets WHERE id > 10");

        var error = await Assert.ThrowsAsync<DataOperationException>(() => new PostgresRestoreGateway().RestoreAsync(source, path));
        Assert.Contains("already has tables", error.Message);
        Assert.Equal(10L, await PostgresFixture.ScalarAsync<long>(source, "SELECT count(*) FROM tickets"));

        var result = await new PostgresRestoreGateway().RestoreAsync(source, path, new RestoreOptions { IntoExistingDatabase = true });
        Assert.False(result.CreatedDatabase);
        Assert.Equal(2000L, await PostgresFixture.ScalarAsync<long>(source, "SELECT count(*) FROM tickets"));
    }

    [Fact]
    public async Task Plain_sql_is_restored_with_psql_in_one_transaction()
    {
        var path = Path.Combine(_folder, "export.sql");
        await File.WriteAllTextAsync(path, "CREATE TABLE a (id int PRIMARY KEY);\nINSERT INTO a VALUES (1), (2);\n");
        var target = postgres.Server.Target($"plain_{Guid.NewGuid():N}"[..20]);
        var result = await new PostgresRestoreGateway().RestoreAsync(target, path);
        Assert.Equal(2, result.After.Tables.Single().Rows);

        var broken = Path.Combine(_folder, "broken.sql");
        await File.WriteAllTextAsync(broken, "CREATE TABLE b (id int PRIMARY KEY);\nINSERT INTO b VALUES (1), (1);\n");
        var error = await Assert.ThrowsAsync<DataOperationException>(() => new PostgresRestoreGateway().RestoreAsync(target, broken, new RestoreOptions { IntoExistingDatabase = true }));
        Assert.Contains("duplicate key", error.Message);
        Assert.Equal(1, (await IntegritySnapshotter.TakeAsync(target)).Tables.Count);
    }

    [Fact]
    public async Task Schema_version_reads_alembic_and_compares_revisions()
    {
        var source = await SampleAsync();
        var before = await SchemaVersion.ReadAsync(source);
        await PostgresFixture.ExecuteAsync(source, "UPDATE alembic_version SET version_num = 'ffff0000'");
        var change = SchemaVersion.Compare(before, await SchemaVersion.ReadAsync(source));
        Assert.True(change.Changed);
        SchemaVersion.Expect(change, shouldChange: true);
        Assert.Throws<DataOperationException>(() => SchemaVersion.Expect(change, shouldChange: false));
        Assert.Null(await SchemaVersion.ReadAsync(await postgres.CreateDatabaseAsync()));
    }

    [Fact]
    public async Task Integrity_snapshot_detects_a_changed_value()
    {
        var source = await SampleAsync();
        var before = await IntegritySnapshotter.TakeAsync(source);
        await PostgresFixture.ExecuteAsync(source, "UPDATE tickets SET score = score + 1e-12 WHERE id = 77");
        var differences = (await IntegritySnapshotter.TakeAsync(source)).CompareTo(before);
        Assert.Equal([new IntegrityDifference("public.tickets", "content checksum differs")], differences);
    }
}

/// <summary>A destination that runs out of space after <c>capacity</c> bytes, like a full disk (ENOSPC).</summary>
internal sealed class FullDiskStream(Stream inner, long capacity) : Stream
{
    private long _written;

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_written + buffer.Length > capacity) throw new IOException("No space left on device");
        inner.Write(buffer);
        _written += buffer.Length;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override void Flush() => inner.Flush();
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _written;
    public override long Position { get => _written; set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>A dump source standing in for the cluster layer's exec: writes some bytes, then fails like a remote pg_dump would.</summary>
internal sealed class FailingRemoteDump(string diagnostics) : IDumpStreamSource, IDumpStreamSourceFactory
{
    public PgDumpSettings? Settings { get; private set; }
    public string Diagnostics => SecretRedactor.Redact(diagnostics);
    public IDumpStreamSource Create(PgDumpSettings settings)
    {
        Settings = settings;
        return this;
    }

    public async Task<int> WriteDumpAsync(Stream destination, CancellationToken cancellationToken)
    {
        await destination.WriteAsync(new byte[] { 0x50, 0x47, 0x44, 0x4D, 0x50 }, cancellationToken);
        return 1;
    }
}

public sealed class PluggableDumpSourceTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_failing_remote_source_leaves_no_file_and_no_secret_in_the_error()
    {
        var db = await postgres.CreateDatabaseAsync("remote");
        var folder = Directory.CreateTempSubdirectory("twl-remote-").FullName;
        try
        {
            var source = new FailingRemoteDump("pg_dump: error: connection to postgresql://twisterlab:hunter2@postgres:5432/twisterlab failed");
            var path = Path.Combine(folder, "remote.dump");
            var error = await Assert.ThrowsAsync<DataOperationException>(() => new PostgresBackupGateway(source).BackupAsync(db, new BackupOptions(path)));

            Assert.StartsWith("pg_dump failed (exit 1)", error.Message);
            Assert.DoesNotContain("hunter2", error.Message);
            Assert.Empty(Directory.GetFileSystemEntries(folder));
            // The source got the settings to run remotely: snapshot, format and compression decided by the backup.
            Assert.Equal((PgDumpFormat.Custom, 1), (source.Settings!.Format, source.Settings.Compression));
            Assert.False(string.IsNullOrEmpty(source.Settings.Snapshot));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}

public sealed class BackupPathTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task A_missing_folder_and_an_existing_backup_are_refused_in_one_line()
    {
        var db = await postgres.CreateDatabaseAsync("paths");
        var missing = await Assert.ThrowsAsync<DataOperationException>(() =>
            new PostgresBackupGateway().BackupAsync(db, new BackupOptions($"/nonexistent-{Guid.NewGuid():N}/b.dump")));
        Assert.Contains("check that the folder exists", missing.Message);

        var existing = Path.GetTempFileName();
        try
        {
            var refused = await Assert.ThrowsAsync<DataOperationException>(() => new PostgresBackupGateway().BackupAsync(db, new BackupOptions(existing)));
            Assert.Contains("already exists", refused.Message);
        }
        finally
        {
            File.Delete(existing);
        }
    }
}
