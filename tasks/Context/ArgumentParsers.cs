using Microsoft.Data.Sqlite;

namespace TwisterLab.Cake.Context;

/// <summary>
/// One parser per kind of argument value, declared with the argument (see <see cref="DeployArguments"/>). Each returns
/// what is wrong with a value and how to write it right, or null; none throws, whatever the text.
/// </summary>
public static class ArgumentParsers
{
    /// <summary>A duration as kubectl writes it, within [min, max] (an absurd one is "too long", never an overflow).</summary>
    public static Func<string, string?> Duration(TimeSpan min, TimeSpan max) => value =>
    {
        var range = $"from {Durations.Format(min)} to {Durations.Format(max)}";
        if (!Durations.TryParseMilliseconds(value, out var milliseconds))
        {
            return $"'{value}' is not a duration: write it as 90s, 5m or 1h30m ({range}).";
        }

        return milliseconds < min.TotalMilliseconds ? $"'{value}' is too short: give {range}."
            : milliseconds > max.TotalMilliseconds ? $"'{value}' is too long: give {range}."
            : null;
    };

    /// <summary>An absolute http(s) URL with a host, e.g. http://prometheus:9090.</summary>
    public static Func<string, string?> HttpUrl(string example) => value =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0 && uri.Query.Length == 0
            ? null
            : $"'{Data.SecretRedactor.Redact(value)}' is not an http(s) URL: write it like {example}.";

    /// <summary>A file that is there (relative paths are under --working).</summary>
    public static string? ExistingFile(string path) =>
        File.Exists(path) ? null
        : Directory.Exists(path) ? $"'{path}' is a folder, not a file: name the file."
        : $"the file '{path}' does not exist: check the path (relative paths are under --working).";

    /// <summary>A file that is there and not empty (an empty kubeconfig names no cluster).</summary>
    public static string? NonEmptyFile(string path) =>
        ExistingFile(path) ?? (new FileInfo(path).Length == 0 ? $"the file '{path}' is empty: point at a file with content." : null);

    public static string? ExistingFolder(string path) =>
        Directory.Exists(path) ? null : $"the folder '{path}' does not exist: check the path (relative paths are under --working).";

    /// <summary>A backup: a dump file or a directory-format dump.</summary>
    public static string? ExistingFileOrFolder(string path) =>
        File.Exists(path) || Directory.Exists(path) ? null : $"'{path}' does not exist: name a backup file (see --backup-dir) or leave --backup out for the latest verified one.";

    /// <summary>A folder the run may create: anything but an existing file.</summary>
    public static string? FolderToWrite(string path) =>
        File.Exists(path) ? $"'{path}' is a file: name a folder (it is created when missing)." : null;

    /// <summary>A command line or other free text that must say something.</summary>
    public static string? NotBlank(string value) =>
        string.IsNullOrWhiteSpace(value) ? "the value is blank: give the command, or leave the argument out for the default." : null;

    /// <summary>
    /// A SQLite database file: there, at least one page (512 bytes), starting with SQLite's header, a whole number of
    /// pages. The contents are checked later (PRAGMA quick_check, see <see cref="SqliteQuickCheck"/>).
    /// </summary>
    public static string? SqliteFile(string path)
    {
        if (ExistingFile(path) is { } missing)
        {
            return missing;
        }

        var header = "SQLite format 3\0"u8;
        var length = new FileInfo(path).Length;
        if (length < 512)
        {
            return $"'{path}' is {length} bytes, too small for a SQLite database: name the .db file itself.";
        }

        Span<byte> start = stackalloc byte[100];
        using (var stream = File.OpenRead(path))
        {
            stream.ReadExactly(start);
        }

        if (!start[..16].SequenceEqual(header))
        {
            return $"'{path}' is not a SQLite database (no 'SQLite format 3' header): name the .db file itself.";
        }

        // Page size: 2 bytes big-endian at offset 16, where 1 means 65536.
        var pageSize = (start[16] << 8) | start[17];
        pageSize = pageSize == 1 ? 65536 : pageSize;
        return length % pageSize == 0 ? null
            : $"'{path}' is damaged: {length} bytes is not a whole number of {pageSize}-byte pages (truncated copy?): copy it again from the source.";
    }

    /// <summary>SQLite's own integrity check of the whole file, read-only: null when it answers "ok".</summary>
    public static string? SqliteQuickCheck(string path)
    {
        try
        {
            using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA quick_check(20)";
            using var reader = command.ExecuteReader();
            var findings = new List<string>();
            while (reader.Read())
            {
                findings.AddRange(reader.GetString(0).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }

            return findings is ["ok"] ? null
                : $"'{path}' fails SQLite's quick_check ({findings.FirstOrDefault()}{(findings.Count > 1 ? $", and {findings.Count - 1} more" : "")}): repair it (sqlite3 '{path}' .recover) or copy it again.";
        }
        catch (SqliteException exception)
        {
            return $"'{path}' cannot be read as SQLite ({exception.Message.Split('\n')[0].TrimEnd('.')}): copy it again from the source.";
        }
    }

    /// <summary>The value of a flag: nothing, true or false.</summary>
    public static string? FlagValue(string value) =>
        value is "" || bool.TryParse(value, out _) ? null : $"'{value}' is not true or false: write the flag alone (or =false to turn it off).";
}
