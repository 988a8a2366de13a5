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
        var prefix = $"--{DeployArguments.SqlitePath}=";
        if (arguments.LastOrDefault(argument => argument.StartsWith(prefix, StringComparison.Ordinal)) is { } named &&
            named[prefix.Length..] is { Length: > 0 } path && File.Exists(path))
        {
            _ = Of(path);
        }
    }

    /// <summary>
    /// The verdict for <paramref name="path"/>, checked once per process: null when quick_check answers "ok", otherwise
    /// the problem in one line. Keyed by the full path, so a run that changes its directory (--working) checks again.
    /// </summary>
    public static Task<string?> Of(string path) =>
        Checks.GetOrAdd(Path.GetFullPath(path), full => new Lazy<Task<string?>>(() => Task.Run(() => ArgumentParsers.SqliteQuickCheck(full)))).Value;
}
