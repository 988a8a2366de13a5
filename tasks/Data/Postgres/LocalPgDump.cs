using System.Diagnostics;
using TwisterLab.Cake.Tools;

namespace TwisterLab.Cake.Data;

/// <summary>pg_dump on this machine, its standard output copied straight into the destination stream.</summary>
public sealed class LocalPgDump(PgDumpSettings settings) : IDumpStreamSource
{
    private string _diagnostics = string.Empty;

    public string Diagnostics => SecretRedactor.Redact(_diagnostics);

    public async Task<int> WriteDumpAsync(Stream destination, CancellationToken cancellationToken)
    {
        using var process = Process.Start(StartInfo()) ?? throw new DataOperationException("pg_dump did not start: install the postgresql-client package.");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.StandardOutput.BaseStream.CopyToAsync(destination, 1 << 20, cancellationToken);
        }
        catch
        {
            // The destination failed (disk full) or we were cancelled: stop pg_dump instead of letting it block on a full pipe.
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            throw;
        }
        finally
        {
            await process.WaitForExitAsync(CancellationToken.None);
            _diagnostics = await stderr;
        }
        return process.ExitCode;
    }

    private ProcessStartInfo StartInfo() => PgToolLocator.StartInfo("pg_dump", PgDumpRunner.BuildArguments(settings), settings);
}

public sealed class LocalPgDumpFactory : IDumpStreamSourceFactory
{
    public IDumpStreamSource Create(PgDumpSettings settings) => new LocalPgDump(settings);
}

/// <summary>Finds the client tools the direct path runs itself (the same order as the Cake runners: version folder, then PATH).</summary>
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
    public static ProcessStartInfo StartInfo(string tool, global::Cake.Core.IO.ProcessArgumentBuilder arguments, PgToolSettings settings, bool redirectInput = false, bool redirectOutput = true)
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

    public static string Find(string tool)
    {
        try
        {
            var versioned = Throwaway.PostgresBinaries.Path(tool);
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
