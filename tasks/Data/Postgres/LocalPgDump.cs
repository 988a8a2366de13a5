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
