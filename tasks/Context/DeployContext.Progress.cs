using Spectre.Console;
using TwisterLab.Cake.Progress;
using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake.Context;

/// <summary>
/// Progress of the run's long operations (backups, restores, exec streams, the SQLite import, the monitor window,
/// rollout waits): steps hand <see cref="Progress"/> to the gateways' option records. --progress chooses how it shows:
/// auto = bars on a terminal, timestamped lines otherwise (CI); lines; off = none.
/// </summary>
public sealed partial class DeployContext
{
    private ProgressReporter? _progress;
    private bool _progressBuilt;
    private readonly Lock _progressLock = new();

    /// <summary>Null when --progress=off or in a dry run (nothing runs long there).</summary>
    public ProgressReporter? Progress
    {
        get
        {
            lock (_progressLock)
            {
                if (!_progressBuilt)
                {
                    _progressBuilt = true;
                    _progress = IsDryRun ? null : BuildProgress(Settings.Progress, Log);
                }

                return _progress;
            }
        }
    }

    /// <summary>Ends the bars (Teardown, before the report): a finished run shows nothing more.</summary>
    public void StopProgress()
    {
        lock (_progressLock)
        {
            _progress?.Dispose();
            _progress = null;
            _progressBuilt = true;
        }
    }

    private static ProgressReporter? BuildProgress(string mode, ICakeLog log)
    {
        var terminal = mode == "auto" && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive
                       && System.Environment.GetEnvironmentVariable("CI") is null;
        return mode switch
        {
            "off" => null,
            _ when terminal => new ProgressReporter(new TerminalProgressView(AnsiConsole.Console, line => Record(log, line)), ProgressReporter.TerminalInterval),
            _ => new ProgressReporter(new PlainProgressView(line => log.Information("{0}", line)), ProgressReporter.PlainInterval),
        };
    }

    private static void Record(ICakeLog log, string line)
    {
        if (log is RedactingLog file)
        {
            file.Record(LogLevel.Information, line);
        }
    }
}
