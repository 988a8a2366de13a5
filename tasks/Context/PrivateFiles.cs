namespace TwisterLab.Cake.Context;

/// <summary>
/// Run folders and what is in them (journal, report, log, backups, manifests) are for the one who ran them: folders
/// 0700, files 0600, whatever the umask. A backup is a full copy of the database and a journal names servers.
/// </summary>
public static class PrivateFiles
{
    private const UnixFileMode OwnerFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode OwnerFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static string CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return Directory.CreateDirectory(path).FullName;
        }

        var folder = Directory.CreateDirectory(path, OwnerFolder);
        // CreateDirectory leaves an existing folder as it was: tighten one an older build created 0755.
        if (File.GetUnixFileMode(path) != OwnerFolder)
        {
            File.SetUnixFileMode(path, OwnerFolder);
        }

        return folder.FullName;
    }

    public static void WriteAllText(string path, string text) => WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(text));

    public static void WriteAllLines(string path, IEnumerable<string> lines) => WriteAllText(path, string.Concat(lines.Select(line => line + "\n")));

    public static void WriteAllBytes(string path, byte[] bytes)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerFile;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(bytes);
        }

        Restrict(path);
    }

    /// <summary>Makes a file written by someone else (pg_dump, a manifest writer) owner-only.</summary>
    public static void Restrict(string path)
    {
        if (!OperatingSystem.IsWindows() && File.Exists(path) && File.GetUnixFileMode(path) != OwnerFile)
        {
            File.SetUnixFileMode(path, OwnerFile);
        }
    }
}
