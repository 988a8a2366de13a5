using Cake.Core.Diagnostics;

namespace TwisterLab.Cake.Hosting.Internal;

/// <summary>
/// The host's log. When a task refuses the run (a <see cref="BadInputException"/>), Cake's engine still announces
/// "An error occurred when executing task …" before the host prints its one "error:" line; that announcement is
/// dropped here, so a refusal reads as one line whether it was found before the run or inside a task.
/// </summary>
internal sealed class RefusalAwareLog(ICakeLog inner) : ICakeLog
{
    private const string EngineErrorHeader = "An error occurred when executing task";
    private volatile bool _refused;

    public Verbosity Verbosity
    {
        get => inner.Verbosity;
        set => inner.Verbosity = value;
    }

    /// <summary>Called by the task wiring when a task threw a refusal: the engine's header that follows is not printed.</summary>
    public void Refused() => _refused = true;

    public void Write(Verbosity verbosity, LogLevel level, string format, params object[] args)
    {
        // Contains, not StartsWith: the redacting log above this one may have stamped the line with its time already.
        if (_refused && level == LogLevel.Error && Text(format, args).Contains(EngineErrorHeader, StringComparison.Ordinal))
        {
            return;
        }

        inner.Write(verbosity, level, format, args);
    }

    private static string Text(string format, object[] args) =>
        args.Length == 0 ? format : string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);
}
