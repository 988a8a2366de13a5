using System.Collections.Concurrent;

namespace TwisterLab.Cake.Data;

/// <summary>
/// Archives whose SHA-256 this process took from their bytes, with the state their files had then (names, sizes,
/// times of last write). An archive whose files are all as they were is not read a second time: a restore right
/// after ChooseBackup verified the backup read 173 MB twice for 3M rows. Any write to a file moves its time of last
/// write; a file added, removed or renamed changes the list; another process (another machine) hashes again.
/// </summary>
internal static class HashedArchives
{
    // File times come from a coarse kernel clock (a few milliseconds): a state is remembered only once its newest
    // write is older than that, so a write after remembering always shows as a later time.
    private static readonly TimeSpan ClockGrain = TimeSpan.FromMilliseconds(50);
    private static readonly ConcurrentDictionary<string, (string Sha256, string State)> Known = new(StringComparer.Ordinal);

    public static void Remember(string path, string sha256)
    {
        if (StateOf(path) is { } state && DateTime.UtcNow - state.NewestWrite > ClockGrain)
        {
            Known[Path.GetFullPath(path)] = (sha256, state.Text);
        }
    }

    /// <summary>True when this process hashed <paramref name="path"/> as <paramref name="sha256"/> and no file of it changed since.</summary>
    public static bool Unchanged(string path, string sha256) =>
        Known.TryGetValue(Path.GetFullPath(path), out var known) && known.Sha256 == sha256 && StateOf(path)?.Text == known.State;

    private static (string Text, DateTime NewestWrite)? StateOf(string path)
    {
        var files = Directory.Exists(path) ? Directory.GetFiles(path).Order(StringComparer.Ordinal).Select(file => new FileInfo(file)).ToList()
            : File.Exists(path) ? new List<FileInfo> { new(path) }
            : null;
        if (files is not { Count: > 0 })
        {
            return null;
        }

        return (string.Join("\n", files.Select(file => $"{file.Name} {file.Length} {file.LastWriteTimeUtc.Ticks}")), files.Max(file => file.LastWriteTimeUtc));
    }
}
