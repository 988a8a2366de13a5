using System.Buffers.Binary;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using TwisterLab.KubeSim.Exec;

namespace TwisterLab.KubeSim.PortForward;

/// <summary>
/// pods/portforward as the kubelet serves it over the WebSocket channel protocol, the one the Python and JavaScript
/// clients speak (<c>v4.channel.k8s.io</c>, or no subprotocol; kubernetes
/// pkg/kubelet/cri/streaming/portforward/websocket.go). <c>?ports=80,5432</c> names the ports; port i gets channel 2i
/// for its bytes both ways and 2i+1 for errors, and each channel first carries its port, two bytes little-endian.
/// Every port is dialled at once; one that cannot be reached gets the kubelet's text on its error channel. v4 cannot
/// close one channel: the socket closes once every port's connection has ended, and a client that closes it ends them.
/// </summary>
internal static class ChannelPortForward
{
    public const string Protocol = "v4.channel.k8s.io";

    public static async Task RunAsync(ChannelSocket socket, PortForwardRequest pod, IReadOnlyList<int> ports, IPortForwardHandler? handler, CancellationToken aborted)
    {
        using var forwarding = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        // The client's bytes for each port; bounded, so a slow pod port slows the client down.
        var uploads = ports.Select(_ => Channel.CreateBounded<byte[]>(new BoundedChannelOptions(16) { SingleReader = true, SingleWriter = true })).ToList();
        try
        {
            for (var i = 0; i < ports.Count; i++)
            {
                var port = new byte[2];
                BinaryPrimitives.WriteUInt16LittleEndian(port, (ushort)ports[i]);
                await socket.SendAsync(DataChannel(i), port, forwarding.Token);
                await socket.SendAsync(ErrorChannel(i), port, forwarding.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            return; // the client left before the first byte
        }

        var receiving = ReceiveAsync(socket, uploads, forwarding);
        await Task.WhenAll(ports.Select((port, i) => ForwardAsync(socket, pod with { Port = port }, i, uploads[i], handler, forwarding.Token)));
        using var closing = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        closing.CancelAfter(TimeSpan.FromSeconds(2));
        await socket.CloseAsync(receiving, closing.Token);
        await forwarding.CancelAsync();
        await receiving;
    }

    static byte DataChannel(int index) => (byte)(2 * index);

    static byte ErrorChannel(int index) => (byte)(2 * index + 1);

    /// <summary>Client → ports, by channel, until the client closes the socket, which ends every port's connection.</summary>
    static async Task ReceiveAsync(ChannelSocket socket, IReadOnlyList<Channel<byte[]>> uploads, CancellationTokenSource forwarding)
    {
        try
        {
            while (await socket.ReceiveAsync(forwarding.Token) is var (channel, payload))
            {
                // Only data channels (even numbers) carry the client's bytes; the error channels are the server's.
                if (channel % 2 != 0 || channel / 2 >= uploads.Count || payload.Length == 0) continue;
                try { await uploads[channel / 2].Writer.WriteAsync(payload, forwarding.Token); }
                catch (ChannelClosedException) { } // that port's connection has ended: its bytes go nowhere
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
        finally
        {
            await forwarding.CancelAsync();
        }
    }

    /// <summary>One port: dialled, then copied both ways until the pod's side closes it.</summary>
    static async Task ForwardAsync(ChannelSocket socket, PortForwardRequest pod, int index, Channel<byte[]> upload, IPortForwardHandler? handler, CancellationToken ct)
    {
        try
        {
            var (target, failure) = await PodPort.DialAsync(handler, pod, pod.Port, ct);
            if (target is null)
            {
                await socket.SendAsync(ErrorChannel(index), Encoding.UTF8.GetBytes(failure!), ct);
                return;
            }

            using (target)
            using (var pipe = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                await using var registration = pipe.Token.Register(target.Dispose);
                var uploading = UploadAsync(upload.Reader, target, pipe.Token);
                var buffer = new byte[PodPort.ChunkSize];
                int n;
                while ((n = await target.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
                    await socket.SendAsync(DataChannel(index), buffer.AsMemory(0, n), ct);
                // The pod's side closed: the connection is over, whatever the client still sends.
                await pipe.CancelAsync();
                await uploading;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException or WebSocketException)
        {
            // The client left, or the pod's side broke off.
        }
        finally
        {
            upload.Writer.TryComplete();
        }
    }

    static async Task UploadAsync(ChannelReader<byte[]> upload, Socket target, CancellationToken ct)
    {
        try
        {
            await foreach (var bytes in upload.ReadAllAsync(ct))
                await target.SendAsync(bytes, SocketFlags.None, ct);
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }
}
