using Cake.Core.Diagnostics;

namespace TwisterLab.Cake.Safety;

/// <summary>Cake's log, with every message passed through the redactor before it is written.</summary>
public sealed class RedactingLog(ICakeLog inner, SecretRedactor redactor) : ICakeLog
{
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
        // Braces in the already formatted text must not be read as placeholders again.
        inner.Write(verbosity, level, "{0}", redactor.Redact(message));
    }
}
