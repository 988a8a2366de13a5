using Cake.Core.Diagnostics;

namespace TwisterLab.Cake.Safety;

/// <summary>
/// Cake's log, with every message passed through the redactor before it is written; the run keeps a copy of what
/// was written (already redacted) for its log file beside the report.
/// </summary>
public sealed class RedactingLog(ICakeLog inner, SecretRedactor redactor) : ICakeLog
{
    private readonly List<string> _lines = [];

    /// <summary>Every line written so far, redacted.</summary>
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
        var redacted = redactor.Redact(message);
        lock (_lines)
        {
            _lines.Add($"{level}: {redacted}");
        }

        // Braces in the already formatted text must not be read as placeholders again.
        inner.Write(verbosity, level, "{0}", redacted);
    }
}
