using System.Net.WebSockets;

namespace TwisterLab.KubeSim.Exec;

/// <summary>
/// A WebSocket of the Kubernetes channel protocols (the channel.k8s.io family: exec, and the kubelet's port-forward):
/// every binary message is [channel][payload]. Sends are serialised, since several channels write at once.
/// </summary>
internal sealed class ChannelSocket(WebSocket socket) : IDisposable
{
    readonly SemaphoreSlim sendLock = new(1, 1);
    readonly byte[] buffer = new byte[64 * 1024];

    public WebSocket Socket => socket;

    public async Task SendAsync(byte channel, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        var frame = new byte[payload.Length + 1];
        frame[0] = channel;
        payload.CopyTo(frame.AsMemory(1));
        await sendLock.WaitAsync(ct);
        try { await socket.SendAsync(frame, WebSocketMessageType.Binary, true, ct); }
        finally { sendLock.Release(); }
    }

    /// <summary>The next non-empty message as its channel and payload; null once the client closed.</summary>
    public async Task<(byte Channel, byte[] Payload)?> ReceiveAsync(CancellationToken ct)
    {
        while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, ct);
                message.Write(buffer, 0, result.Count);
            } while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
            if (result.MessageType == WebSocketMessageType.Close) return null;
            if (message.Length > 0)
            {
                var frame = message.ToArray();
                return (frame[0], frame[1..]);
            }
        }

        return null;
    }

    /// <summary>Ends the session with a normal close, then gives the client a moment to answer it.</summary>
    public async Task CloseAsync(Task receiving, CancellationToken ct)
    {
        try
        {
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", ct);
            await Task.WhenAny(receiving, Task.Delay(TimeSpan.FromSeconds(2), ct));
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
    }

    public void Dispose() => sendLock.Dispose();
}
