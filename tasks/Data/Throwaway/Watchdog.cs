using System.Diagnostics;
using System.Runtime.InteropServices;

namespace TwisterLab.Cake.Data.Throwaway;

/// <summary>
/// Runs a server under a tiny <c>sh</c> wrapper that stops it and deletes its folder when either the server
/// exits, the wrapper gets SIGTERM (normal dispose), or the process that started it dies — even by SIGKILL,
/// which no .NET finalizer or ProcessExit handler survives. The wrapper polls <c>/proc/&lt;parent&gt;</c>
/// (visible to any user, unlike <c>kill -0</c> across users) twice a second.
/// PR_SET_PDEATHSIG was not used: it fires when the forking *thread* exits, and .NET forks from pool threads.
/// </summary>
internal sealed class Watchdog : IDisposable
{
    private const string Script = """
        exec >>"$TWL_LOG" 2>&1
        "$@" &
        child=$!
        trap 'kill -$TWL_STOP_SIGNAL $child 2>/dev/null' TERM INT
        while [ -e "/proc/$TWL_PARENT" ] && kill -0 $child 2>/dev/null; do sleep 0.5; done
        kill -$TWL_STOP_SIGNAL $child 2>/dev/null
        wait $child
        rm -rf "$TWL_CLEAN"
        """;

    private readonly Process _wrapper;

    private Watchdog(Process wrapper) => _wrapper = wrapper;

    public int WrapperPid => _wrapper.Id;
    public bool HasExited => _wrapper.HasExited;

    /// <param name="stopSignal">Signal name that stops the server quickly: INT for postgres (fast shutdown), TERM for redis.
    /// Background jobs of a non-interactive sh start with SIGINT ignored, so only servers that install their own handler honour INT.</param>
    /// <param name="runAs">Unix user to run as (PostgreSQL refuses root), or null for the current user.</param>
    public static Watchdog Start(string? runAs, string stopSignal, string logFile, string cleanDirectory, string executable, IEnumerable<string> arguments, int? parentPid = null)
    {
        var start = new ProcessStartInfo { UseShellExecute = false, RedirectStandardInput = false };
        if (runAs is not null)
        {
            start.FileName = "setpriv";
            foreach (var a in new[] { $"--reuid={runAs}", $"--regid={runAs}", "--init-groups", "--", "sh" }) start.ArgumentList.Add(a);
        }
        else
        {
            start.FileName = "sh";
        }
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add("twl-watchdog");
        start.ArgumentList.Add(executable);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment["TWL_PARENT"] = (parentPid ?? Environment.ProcessId).ToString();
        start.Environment["TWL_LOG"] = logFile;
        start.Environment["TWL_CLEAN"] = cleanDirectory;
        start.Environment["TWL_STOP_SIGNAL"] = stopSignal;
        return new Watchdog(Process.Start(start) ?? throw new DataOperationException($"Could not start {executable}: check that it is installed."));
    }

    /// <summary>Asks the wrapper to stop the server (SIGTERM → the server's stop signal) and waits for the cleanup.</summary>
    public void Stop(TimeSpan timeout)
    {
        if (_wrapper.HasExited) return;
        _ = SendSignal(_wrapper.Id, SigTerm);
        if (!_wrapper.WaitForExit(timeout)) _wrapper.Kill(entireProcessTree: true);
    }

    public void Dispose() => _wrapper.Dispose();

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
