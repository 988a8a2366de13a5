using System.Net.Sockets;

namespace TwisterLab.KubeSim.PortForward;

/// <summary>What a kubelet does for one forwarded port, whichever protocol asked for it: connect to the pod's port.</summary>
internal static class PodPort
{
    /// <summary>Bytes read from the pod's port per message (the size Go's io.Copy uses).</summary>
    public const int ChunkSize = 32 * 1024;

    /// <summary>A socket connected to the pod's port, or the text a kubelet writes to the port's error stream.</summary>
    public static async Task<(Socket? Socket, string? Failure)> DialAsync(IPortForwardHandler? handler, PortForwardRequest pod, int port, CancellationToken ct)
    {
        if (handler?.Resolve(pod with { Port = port }) is not { } target)
            return (null, Failure(pod, port, "connect: connection refused (the simulator maps nothing to this port of the pod)"));
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(target, ct);
            return (socket, null);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            return (null, Failure(pod, port, $"dial tcp {target}: {e.Message}"));
        }
    }

    /// <summary>The kubelet's text (httpstream.go and websocket.go: "error forwarding port %d to pod %s, uid %v: %v").</summary>
    static string Failure(PortForwardRequest pod, int port, string reason) =>
        $"error forwarding port {port} to pod {pod.Pod}, uid : failed to connect to localhost:{port} inside the pod: {reason}";
}
