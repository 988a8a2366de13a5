using System.Collections.Concurrent;

namespace TwisterLab.Cake.Context;

/// <summary>
/// SQLite's quick_check of the file --sqlite-path names, started as soon as the command line names it. It reads the
/// whole file, about a second for 3M rows on one core, while the other core starts the engine, reaches the servers
/// and reads what the first step reads; the run takes the verdict before its first change (a plan: in its input
/// checks), so a damaged file still changes nothing.
/// </summary>
public static class SqliteQuickCheck
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<string?>>> Checks = new(StringComparer.Ordinal);

    /// <summary>Starts the check of the file <c>--sqlite-path=</c> names, when the command line names one that exists.</summary>
    public static void StartFor(IEnumerable<string> arguments)
    {
        if (ArgumentSources.LastValue(arguments, DeployArguments.SqlitePath) is { } path && File.Exists(path))
        {
            _ = Of(path);
        }
    }

    /// <summary>
    /// The verdict for <paramref name="path"/>: null when quick_check answers "ok", otherwise the problem in one line.
    /// Checked once per file as it is: keyed by the full path (a run that changes its directory, --working, checks
    /// again), the size and the time of the last write (a file replaced since, in a longer-lived process, too).
    /// </summary>
    public static Task<string?> Of(string path)
    {
        var file = new FileInfo(Path.GetFullPath(path));
        var key = $"{file.FullName}|{(file.Exists ? file.Length : -1)}|{(file.Exists ? file.LastWriteTimeUtc.Ticks : 0)}";
        return Checks.GetOrAdd(key, _ => new Lazy<Task<string?>>(() => Task.Run(() => ArgumentParsers.SqliteQuickCheck(file.FullName)))).Value;
    }
}
