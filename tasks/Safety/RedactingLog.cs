using Cake.Core.Diagnostics;

namespace TwisterLab.Cake.Safety;

/// <summary>
/// Cake's log, with every message passed through the redactor before it is written; the run keeps a copy of what
/// was written (already redacted, each line stamped with its UTC time) for its log file beside the report. A console
/// that is not a terminal (a CI log) gets the stamp too: a pipeline's log then says when each line happened.
/// </summary>
public sealed class RedactingLog(ICakeLog inner, SecretRedactor redactor, bool stampConsole, TimeProvider? clock = null) : ICakeLog
{
    private readonly List<string> _lines = [];
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>Stamps the console when standard output is redirected (not a terminal).</summary>
    public RedactingLog(ICakeLog inner, SecretRedactor redactor)
        : this(inner, redactor, stampConsole: Console.IsOutputRedirected)
    {
    }

    /// <summary>Every line written so far, redacted and stamped.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return _lines.ToList();
            }
        }
    }

    public Verbosity Verbosity
    {
        get => inner.Verbosity;
        set => inner.Verbosity = value;
    }

    public void Write(Verbosity verbosity, LogLevel level, string format, params object[] args)
    {
        if (verbosity > inner.Verbosity)
        {
            return;
        }

        var message = args.Length == 0 ? format : string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);
        var stamp = Stamp();
        var redacted = Keep(stamp, level, message);

        // Braces in the already formatted text must not be read as placeholders again.
        inner.Write(verbosity, level, "{0}", stampConsole ? $"{stamp} {redacted}" : redacted);
    }

    /// <summary>A line for the log file only (progress a terminal already shows as bars), redacted and stamped.</summary>
    public void Record(LogLevel level, string message) => Keep(Stamp(), level, message);

    private string Keep(string stamp, LogLevel level, string message)
    {
        var redacted = redactor.Redact(message);
        lock (_lines)
        {
            // Every line of the file stamped, the continuation lines of a multi-line message (a table, a plan) too.
            foreach (var line in redacted.Split('\n'))
            {
                _lines.Add($"{stamp} {level}: {line.TrimEnd('\r')}");
            }
        }

        return redacted;
    }

    // ISO-8601, UTC, to the millisecond: lines of one second still order.
    private string Stamp() => _clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
