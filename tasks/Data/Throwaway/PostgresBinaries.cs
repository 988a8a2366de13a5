using System.Diagnostics;

namespace TwisterLab.Cake.Data.Throwaway;

/// <summary>Finds the machine's PostgreSQL server binaries (initdb, postgres, pg_ctl) — Debian keeps them off PATH.</summary>
public static class PostgresBinaries
{
    private static readonly Lazy<string> Directory = new(Locate);

    public static string BinDirectory => Directory.Value;

    public static string Path(string tool) => System.IO.Path.Combine(BinDirectory, tool);

    /// <summary>
    /// Starts finding the folder on another thread, for a run that will start a PostgreSQL tool: <c>pg_config</c> is a
    /// process (Debian's wrapper runs two more), 20 ms or more, which the first pg_dump would otherwise wait for.
    /// </summary>
    public static void LocateAhead() => ThreadPool.QueueUserWorkItem(_ =>
    {
        try
        {
            _ = Directory.Value;
        }
        catch (Exception)
        {
            // Kept by the Lazy, which throws it again to the step that needs a tool: there it is reported in the run's
            // words. Left unhandled on a pool thread, any exception (an unreadable /usr/lib/postgresql) would end the process.
        }
    });

    private static string Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("TWISTERLAB_PG_BINDIR");
        if (!string.IsNullOrEmpty(fromEnvironment) && File.Exists(System.IO.Path.Combine(fromEnvironment, "initdb"))) return fromEnvironment;
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pg_config", "--bindir") { RedirectStandardOutput = true, UseShellExecute = false })!;
            var dir = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            if (process.ExitCode == 0 && File.Exists(System.IO.Path.Combine(dir, "initdb"))) return dir;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // pg_config missing: fall through to the Debian layout.
        }
        var debian = System.IO.Directory.Exists("/usr/lib/postgresql")
            ? System.IO.Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => d).Select(d => System.IO.Path.Combine(d, "bin")).FirstOrDefault(d => File.Exists(System.IO.Path.Combine(d, "initdb")))
            : null;
        return debian ?? throw new DataOperationException("PostgreSQL server binaries not found: apt-get install postgresql (or set TWISTERLAB_PG_BINDIR to the folder holding initdb).");
    }
}
