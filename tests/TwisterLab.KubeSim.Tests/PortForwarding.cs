using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace TwisterLab.KubeSim.Tests;

/// <summary>A local TCP server that sends back what it receives, and closes its side when the client closes its own.</summary>
public sealed class TcpEchoServer : IDisposable
{
    readonly TcpListener listener = new(IPAddress.Loopback, 0);
    readonly CancellationTokenSource stopping = new();

    public TcpEchoServer()
    {
        listener.Start();
        _ = AcceptAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)listener.LocalEndpoint;

    /// <summary>How many connections reached the server (so a test can tell a forwarded byte from a local loop).</summary>
    public int Connections => connections;
    int connections;

    async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync(stopping.Token);
                Interlocked.Increment(ref connections);
                _ = EchoAsync(client);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    async Task EchoAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                await stream.CopyToAsync(stream, stopping.Token);
                client.Client.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException or ObjectDisposedException) { }
        }
    }

    public void Dispose()
    {
        stopping.Cancel();
        listener.Stop();
    }
}

/// <summary>
/// A running <c>kubectl port-forward</c>: started, then read until it prints "Forwarding from 127.0.0.1:PORT"; the
/// local port it chose is <see cref="LocalPort"/>. Disposing stops it.
/// </summary>
public sealed class KubectlPortForward : IAsyncDisposable
{
    readonly Process process;
    readonly Task<string> stderr;

    KubectlPortForward(Process process, int localPort)
    {
        this.process = process;
        stderr = process.StandardError.ReadToEndAsync();
        LocalPort = localPort;
    }

    public int LocalPort { get; }

    /// <summary>Starts kubectl port-forward with these arguments (e.g. "-n ns port-forward svc/web :80").</summary>
    public static async Task<KubectlPortForward> StartAsync(string kubeconfig, string arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--kubeconfig", kubeconfig, "--cache-dir", Directory.CreateTempSubdirectory("kubesim-pf-").FullName })
            start.ArgumentList.Add(a);
        foreach (var a in arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
        var process = Process.Start(start)!;
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
            var match = Regex.Match(line ?? "", @"^Forwarding from 127\.0\.0\.1:(\d+) -> \d+");
            if (!match.Success)
                throw new Exception($"kubectl {arguments} printed \"{line}\"; stderr: {await process.StandardError.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(5))}");
            // The rest of stdout ("Handling connection for …") must be drained, or kubectl blocks on a full pipe.
            _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
            return new KubectlPortForward(process, int.Parse(match.Groups[1].Value));
        }
        catch
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }
    }

    /// <summary>What kubectl wrote to stderr until it exited (waits at most <paramref name="timeout"/> for the exit).</summary>
    public async Task<(bool Exited, string StdErr)> ExitAsync(TimeSpan timeout)
    {
        try { await process.WaitForExitAsync().WaitAsync(timeout); }
        catch (TimeoutException) { return (false, ""); }
        return (true, await stderr);
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        await process.WaitForExitAsync();
        process.Dispose();
    }

    /// <summary>
    /// Sends <paramref name="size"/> random bytes through the forwarded port while reading the echo back, then
    /// half-closes and expects the far side to close too. Throws unless every byte came back in order.
    /// </summary>
    public async Task EchoAsync(int size, CancellationToken ct = default)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, LocalPort, ct);
        var stream = client.GetStream();
        var sent = RandomNumberGenerator.GetBytes(size);
        var received = new MemoryStream();
        var reading = Task.Run(async () =>
        {
            var buffer = new byte[64 * 1024];
            int n;
            while ((n = await stream.ReadAsync(buffer, ct)) > 0) received.Write(buffer, 0, n);
        }, ct);
        // Written in pieces of uneven size, so frames and reads do not line up with the writes.
        for (var offset = 0; offset < size;)
        {
            var piece = Math.Min(size - offset, 1000 + offset % 70_000);
            await stream.WriteAsync(sent.AsMemory(offset, piece), ct);
            offset += piece;
        }
        client.Client.Shutdown(SocketShutdown.Send);
        await reading.WaitAsync(TimeSpan.FromSeconds(30), ct);
        if (received.Length != size || !received.ToArray().AsSpan().SequenceEqual(sent))
            throw new Exception($"sent {size} bytes through port-forward, got {received.Length} back{(received.Length == size ? " in a different order" : "")}");
    }
}
