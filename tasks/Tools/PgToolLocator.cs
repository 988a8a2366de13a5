using System.Diagnostics;
using FilePath = Cake.Core.IO.FilePath;
using ProcessArgumentBuilder = Cake.Core.IO.ProcessArgumentBuilder;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Data.Throwaway;

namespace TwisterLab.Cake.Tools;

/// <summary>
/// Finds the PostgreSQL client tools, one way for everyone: the Cake runners (<see cref="Alternatives"/>) and the direct
/// path that starts pg_dump/psql itself (<see cref="StartInfo"/>) both take the server's version folder first, then PATH.
/// </summary>
public static class PgToolLocator
{
    /// <summary>Whether <see cref="Find"/> would find the tool (the in-cluster path falls back to the pod's tools).</summary>
    public static bool IsAvailable(string tool)
    {
        try
        {
            Find(tool);
            return true;
        }
        catch (DataOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// How the direct path starts a libpq tool itself (where Cake's runner would read a binary stream as text lines):
    /// the password goes in PGPASSWORD, never on the command line; standard error is always captured for the message.
    /// </summary>
    public static ProcessStartInfo StartInfo(string tool, ProcessArgumentBuilder arguments, PgToolSettings settings, bool redirectInput = false, bool redirectOutput = true)
    {
        var start = new ProcessStartInfo(Find(tool))
        {
            Arguments = arguments.Render(),
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = redirectOutput,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (key, value) in settings.ToolEnvironment()) start.Environment[key] = value;
        return start;
    }

    /// <summary>The path <see cref="Find"/> prefers, for Cake's runners (which search PATH themselves after these).</summary>
    // Debian keeps versioned binaries in /usr/lib/postgresql/N/bin; /usr/bin holds a wrapper that may pick another version.
    public static IEnumerable<FilePath> Alternatives(string tool)
    {
        try
        {
            var versioned = PostgresBinaries.Path(tool);
            return File.Exists(versioned) ? [new FilePath(versioned)] : [];
        }
        catch (DataOperationException)
        {
            // No server binaries folder: rely on PATH only.
            return [];
        }
    }

    public static string Find(string tool)
    {
        try
        {
            var versioned = PostgresBinaries.Path(tool);
            if (File.Exists(versioned)) return versioned;
        }
        catch (DataOperationException)
        {
            // No server install: use PATH.
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':'))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate)) return candidate;
        }
        throw new DataOperationException($"{tool} not found: apt-get install postgresql-client (or put it on PATH).");
    }
}
