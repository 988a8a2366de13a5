using Microsoft.Data.Sqlite;

namespace TwisterLab.Cake.Data;

/// <summary>Where the copy of the SQLite file went, how large it is and its SHA-256 (also written beside it as <c>&lt;copy&gt;.sha256</c>).</summary>
public sealed record SqliteFileCopyResult(string Path, long SizeBytes, string Sha256, bool ByteExact);

/// <summary>
/// The guide's "export" kept as the SQLite file itself instead of a second copy of the data as SQL text: one read of the
/// file, hashed on the way, written to <c>&lt;path&gt;.partial</c> and renamed when complete. A read transaction is
/// held throughout, so no writer can commit while the bytes are read and the copy is the file as the migration read
/// it. In WAL mode committed pages may still sit in the -wal file: then SQLite's online backup API copies the
/// database page by page instead (the same content, not the same bytes).
/// </summary>
internal static class SqliteFileCopy
{
    public static SqliteFileCopyResult Copy(string sqlitePath, string destination, CancellationToken cancellationToken)
    {
        var partial = destination + ".partial";
        try
        {
            using var source = SqliteSchemaReader.Open(sqlitePath);
            using var read = source.BeginTransaction(deferred: true);
            using (var command = source.CreateCommand())
            {
                command.CommandText = "SELECT count(*) FROM sqlite_master"; // takes the SHARED lock the transaction then keeps
                command.ExecuteScalar();
            }
            var wal = JournalMode(source) == "wal";
            long size;
            string sha;
            if (!wal)
            {
                using var input = new FileStream(sqlitePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 20);
                var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, BufferSize = 0 };
                if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnly; // a copy of the whole database
                using var file = new FileStream(partial, options);
                using var hashing = new HashingStream(file);
                input.CopyToAsync(hashing, 1 << 20, cancellationToken).GetAwaiter().GetResult();
                (size, sha) = (hashing.BytesWritten, hashing.Sha256());
            }
            else
            {
                using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = partial, Pooling = false }.ConnectionString))
                {
                    source.BackupDatabase(copy);
                }
                (size, sha) = (new FileInfo(partial).Length, Sha256Of(partial));
            }
            File.Move(partial, destination);
            File.WriteAllText(destination + ".sha256", $"{sha}  {Path.GetFileName(destination)}\n");
            return new SqliteFileCopyResult(destination, size, sha, ByteExact: !wal);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DataOperationException($"Cannot write the copy of the SQLite file to {destination} ({ex.Message.TrimEnd('.')}): free disk space or choose another --backup-dir; nothing was migrated.", ex);
        }
        finally
        {
            if (File.Exists(partial)) File.Delete(partial);
        }
    }

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static string JournalMode(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        return ((string)command.ExecuteScalar()!).ToLowerInvariant();
    }

    private static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
    }
}
