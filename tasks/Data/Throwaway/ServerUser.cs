using System.Diagnostics;

namespace TwisterLab.Cake.Data.Throwaway;

/// <summary>
/// PostgreSQL's initdb and postgres refuse to run as root ("cannot be run as root"). When this process is root
/// (containers, CI images) the throwaway server runs as the unprivileged <c>postgres</c> account that the Debian
/// packages create, switched to with util-linux <c>setpriv</c> (no PAM session, no password). Otherwise it runs as
/// the current user.
/// </summary>
internal static class ServerUser
{
    public const string PostgresAccount = "postgres";

    public static string? ForPostgres()
    {
        if (!Environment.IsPrivilegedProcess) return null;
        if (!File.ReadLines("/etc/passwd").Any(line => line.StartsWith(PostgresAccount + ":", StringComparison.Ordinal)))
            throw new DataOperationException("Running as root and there is no 'postgres' user for PostgreSQL to run as: run as a normal user or `useradd postgres`.");
        return PostgresAccount;
    }

    public static (int ExitCode, string Output) Run(string? runAs, string executable, params string[] arguments)
    {
        var start = new ProcessStartInfo { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (runAs is null)
        {
            start.FileName = executable;
        }
        else
        {
            start.FileName = "setpriv";
            foreach (var a in new[] { $"--reuid={runAs}", $"--regid={runAs}", "--init-groups", "--", executable }) start.ArgumentList.Add(a);
        }
        foreach (var a in arguments) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}
