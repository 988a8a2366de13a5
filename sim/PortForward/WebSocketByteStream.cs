using System.Net.WebSockets;

namespace TwisterLab.KubeSim.PortForward;

/// <summary>
/// The WebSocket tunnel of KEP 4006 as a byte stream: the client's SPDY connection is the concatenation of the binary
/// messages it sends, and every write goes out as one binary message (client-go tools/portforward
/// tunneling_connection.go reads messages back to back the same way). A close message ends the stream.
/// </summary>
internal sealed class WebSocketByteStream(WebSocket socket) : Stream
{
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        while (true)
        {
            if (socket.State is not (WebSocketState.Open or WebSocketState.CloseSent)) return 0;
            ValueWebSocketReceiveResult result;
            try { result = await socket.ReceiveAsync(buffer, ct); }
            catch (WebSocketException) { return 0; } // the client went away without a close handshake
            if (result.MessageType == WebSocketMessageType.Close) return 0;
            if (result.MessageType != WebSocketMessageType.Binary) throw new InvalidDataException("the SPDY tunnel carries binary messages only");
            if (result.Count > 0 || buffer.Length == 0) return result.Count;
            // An empty message carries nothing: wait for the next one rather than reporting the end.
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) => ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) =>
        socket.SendAsync(buffer, WebSocketMessageType.Binary, endOfMessage: true, ct);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();
    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override Task FlushAsync(CancellationToken ct) => Task.CompletedTask;
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
