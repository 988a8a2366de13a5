using System.Diagnostics;
using System.Text;
using TwisterLab.Cake.Tools;

namespace TwisterLab.Cake.Data;

/// <summary>
/// The guide's <c>pg_dump … | psql …</c>, with a tail of SQL (the anonymization) written into the same psql session
/// after the dump. psql runs the whole input as one transaction (--single-transaction), so the target changes only
/// when everything, tail included, succeeded; a failed dump kills psql before it can commit.
/// </summary>
public sealed class DumpIntoPsqlPipe(PgDumpSettings dump, PsqlSettings psql)
{
    /// <summary>Streams the dump into psql, then the tail; returns the dump's size in bytes.</summary>
    public async Task<long> RunAsync(IEnumerable<string> tail, CancellationToken cancellationToken)
    {
        psql.File = "-"; // stdin, which --single-transaction wraps like a file
        using var target = Process.Start(PsqlStartInfo()) ?? throw new DataOperationException("psql did not start: install the postgresql-client package.");
        var errors = target.StandardError.ReadToEndAsync(CancellationToken.None);
        var output = target.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var committed = false;
        try
        {
            var input = new CountingStream(target.StandardInput.BaseStream);
            var stoppedReading = false;
            try
            {
                var source = new LocalPgDump(dump);
                var dumpExit = await source.WriteDumpAsync(input, cancellationToken);
                if (dumpExit != 0)
                {
                    throw new DataOperationException($"pg_dump failed (exit {dumpExit}): {LastLine(source.Diagnostics)}; the target was not changed.");
                }

                await WriteTailAsync(input, tail, cancellationToken);
                target.StandardInput.Close();
            }
            catch (IOException) when (target.HasExited || target.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                // psql stopped reading (ON_ERROR_STOP): its own error says why, not the broken pipe.
                stoppedReading = true;
            }

            await target.WaitForExitAsync(cancellationToken);
            if (target.ExitCode != 0 || stoppedReading)
            {
                throw new DataOperationException($"psql failed (exit {target.ExitCode}): {ErrorLine(SecretRedactor.Redact(await errors))}; the target was not changed.");
            }

            committed = true;
            return input.Written;
        }
        finally
        {
            if (!committed && !target.HasExited)
            {
                // Closing the connection without COMMIT is what rolls the transaction back.
                target.Kill(entireProcessTree: true);
            }

            await target.WaitForExitAsync(CancellationToken.None);
            await output;
        }
    }

    private static async Task WriteTailAsync(Stream input, IEnumerable<string> tail, CancellationToken cancellationToken)
    {
        foreach (var statement in tail)
        {
            await input.WriteAsync(Encoding.UTF8.GetBytes("\n" + statement + "\n"), cancellationToken);
        }

        await input.FlushAsync(cancellationToken);
    }

    private ProcessStartInfo PsqlStartInfo() => PgToolLocator.StartInfo("psql", PsqlRunner.BuildArguments(psql), psql, redirectInput: true);

    /// <summary>
    /// psql's ERROR line. Never its DETAIL line: "Failing row contains (…)" would carry production's personal data
    /// into the run's log.
    /// </summary>
    private static string ErrorLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault(line => line.Contains("ERROR:", StringComparison.Ordinal))
        ?? "(no ERROR line; see the server log)";

    private static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "(no message)";

    /// <summary>Counts what passes through, so the log can say how much was copied without buffering any of it.</summary>
    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Written { get; private set; }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Written;
        public override long Position { get => Written; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            Written += count;
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            Written += buffer.Length;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() => inner.Flush();
        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
