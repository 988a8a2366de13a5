using System.Diagnostics;
using System.ComponentModel;
using System.Net;

namespace TwisterLab.KubeSim;

/// <summary>
/// Runs the exec'd argv as a local process with the pod's environment plus per-image overrides, so that
/// <c>pg_dump</c> "inside" a <c>postgres:*</c> pod reaches a throwaway local PostgreSQL when the overrides say
/// PGHOST/PGPORT/PGUSER/PGPASSWORD. The process runs on this machine: there is no container isolation.
/// Port-forwards to a port of a pod reach the local endpoint registered for one of its images with
/// <see cref="WithPortForward"/>.
/// </summary>
public sealed class LocalProcessExecHandler : IExecHandler, IPortForwardHandler
{
    readonly List<(string ImagePattern, IReadOnlyDictionary<string, string> Environment)> overrides = [];
    readonly List<(string ImagePattern, int Port, EndPoint Target)> forwards = [];
    readonly List<(string ImagePattern, Func<IReadOnlyList<string>, IReadOnlyList<string>> Rewrite)> rewrites = [];
    readonly object gate = new();

    /// <summary>Extra environment for containers whose image matches the glob; later registrations win.</summary>
    public LocalProcessExecHandler WithImageEnvironment(string imagePattern, IReadOnlyDictionary<string, string> environment)
    {
        lock (gate) overrides.Add((imagePattern, environment));
        return this;
    }

    /// <summary>
    /// Rewrites the argv of containers whose image matches, for tools that take their server from arguments rather
    /// than the environment, e.g. <c>redis-cli PING</c> → <c>redis-cli -p 6390 PING</c>. Later registrations run last.
    /// </summary>
    public LocalProcessExecHandler WithCommandRewrite(string imagePattern, Func<IReadOnlyList<string>, IReadOnlyList<string>> rewrite)
    {
        lock (gate) rewrites.Add((imagePattern, rewrite));
        return this;
    }

    /// <summary>
    /// <c>kubectl port-forward</c> to <paramref name="port"/> of a pod with a container whose image matches the glob
    /// reaches <paramref name="target"/> (e.g. a postgres pod's 5432 → the throwaway PostgreSQL). Later registrations win.
    /// </summary>
    public LocalProcessExecHandler WithPortForward(string imagePattern, int port, EndPoint target)
    {
        lock (gate) forwards.Add((imagePattern, port, target));
        return this;
    }

    public EndPoint? Resolve(PortForwardRequest request)
    {
        lock (gate)
            return forwards.LastOrDefault(f => f.Port == request.Port && request.Images.Any(image => Glob.IsMatch(f.ImagePattern, image))).Target;
    }

    public async Task<int> ExecAsync(ExecRequest request, Stream stdin, Stream stdout, Stream stderr, CancellationToken ct)
    {
        var command = request.Command;
        lock (gate)
            foreach (var (_, rewrite) in rewrites.Where(r => Glob.IsMatch(r.ImagePattern, request.Image)))
                command = rewrite(command);
        if (command.Count == 0)
        {
            await WriteAsync(stderr, "no command given\n", ct);
            return 126;
        }
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in command.Skip(1)) start.ArgumentList.Add(arg);
        if (request.WorkingDirectory is { } folder && Directory.Exists(folder)) start.WorkingDirectory = folder;
        foreach (var (k, v) in request.Environment) start.Environment[k] = v;
        lock (gate)
            foreach (var (pattern, env) in overrides.Where(o => Glob.IsMatch(o.ImagePattern, request.Image)))
                foreach (var (k, v) in env) start.Environment[k] = v;

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception("the process did not start");
        }
        catch (Win32Exception e)
        {
            // What runc reports when the executable is missing in the container.
            await WriteAsync(stderr, $"OCI runtime exec failed: exec failed: unable to start container process: exec: \"{command[0]}\": {e.Message}\n", ct);
            return 127;
        }
        using (process)
        {
            // stdin is pumped in the background and never awaited: with the v4 protocol it never ends.
            _ = PumpStdinAsync(stdin, process, request.Stdin, ct);
            var copyOut = process.StandardOutput.BaseStream.CopyToAsync(stdout, ct);
            var copyErr = process.StandardError.BaseStream.CopyToAsync(stderr, ct);
            try
            {
                await process.WaitForExitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                throw;
            }
            await Task.WhenAll(copyOut, copyErr);
            return process.ExitCode;
        }
    }

    static async Task PumpStdinAsync(Stream stdin, Process process, bool wanted, CancellationToken ct)
    {
        try
        {
            if (wanted) await stdin.CopyToAsync(process.StandardInput.BaseStream, ct);
            process.StandardInput.Close();
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException or ObjectDisposedException)
        {
            // The process exited or the session ended first.
        }
    }

    static Task WriteAsync(Stream s, string text, CancellationToken ct) =>
        s.WriteAsync(System.Text.Encoding.UTF8.GetBytes(text), ct).AsTask();
}
