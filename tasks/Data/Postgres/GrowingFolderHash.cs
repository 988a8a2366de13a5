using System.Security.Cryptography;

namespace TwisterLab.Cake.Data;

/// <summary>
/// SHA-256 of each file of a folder pg_dump is still writing, taken as its bytes land, so that hashing a directory
/// backup costs no second read after the dump. pg_dump only ever appends to the files of a directory archive (each
/// table's data file is written once, front to back; toc.dat once, at the end), so bytes already read never change.
/// <see cref="FinishAsync"/> reads what is left once pg_dump has exited, and checks every file's length against what
/// was hashed: a file that shrank or was replaced is an error, never a wrong checksum.
/// </summary>
internal sealed class GrowingFolderHash(string folder) : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private readonly Dictionary<string, (FileStream Stream, IncrementalHash Hash)> _files = new(StringComparer.Ordinal);
    private readonly byte[] _buffer = new byte[1 << 20];

    /// <summary>Reads new bytes every 100 ms until <paramref name="writerExited"/> completes.</summary>
    public async Task FollowAsync(Task writerExited, CancellationToken cancellationToken)
    {
        while (!writerExited.IsCompleted)
        {
            await CatchUpAsync(cancellationToken);
            await Task.WhenAny(writerExited, Task.Delay(Interval, cancellationToken));
        }
    }

    /// <summary>After the writer exited: the rest of every file, then per file its SHA-256 (file name → hex) and the total size.</summary>
    public async Task<(long Size, SortedDictionary<string, string> Files)> FinishAsync(CancellationToken cancellationToken)
    {
        await CatchUpAsync(cancellationToken);
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        long size = 0;
        foreach (var (path, (stream, hash)) in _files)
        {
            if (new FileInfo(path).Length != stream.Position)
                throw new DataOperationException($"{path} changed after pg_dump wrote it ({new FileInfo(path).Length} bytes on disk, {stream.Position} hashed): take a new backup.");
            files[Path.GetFileName(path)] = Convert.ToHexStringLower(hash.GetCurrentHash());
            size += stream.Position;
        }

        return (size, files);
    }

    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        if (!Directory.Exists(folder)) return;   // pg_dump has not created it yet
        foreach (var path in Directory.GetFiles(folder))
        {
            if (!_files.TryGetValue(path, out var file))
            {
                file = (new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.SequentialScan),
                    IncrementalHash.CreateHash(HashAlgorithmName.SHA256));
                _files[path] = file;
            }

            int read;
            while ((read = await file.Stream.ReadAsync(_buffer, cancellationToken)) > 0)
            {
                file.Hash.AppendData(_buffer, 0, read);
            }
        }
    }

    public void Dispose()
    {
        foreach (var (stream, hash) in _files.Values)
        {
            stream.Dispose();
            hash.Dispose();
        }
    }
}
