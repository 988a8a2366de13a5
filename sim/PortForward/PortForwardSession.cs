using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;

namespace TwisterLab.KubeSim.PortForward;

/// <summary>
/// The server side of one <c>kubectl port-forward</c> connection, as a kubelet serves it (protocol
/// portforward.k8s.io; kubernetes pkg/kubelet/cri/streaming/portforward/httpstream.go). For every local connection
/// the client opens two SPDY streams with the same <c>requestID</c> header: an error stream (it only reads it, to
/// the end; a non-empty text is a failure) and a data stream carrying the bytes both ways for the <c>port</c> header's
/// port. Each stream is accepted with a SYN_REPLY at once (the client waits for it before opening the next); when both
/// are there, the pod's port is dialled through the <see cref="IPortForwardHandler"/>.
/// moby/spdystream, the client's SPDY library, neither sends nor honours WINDOW_UPDATE, so there is no flow-control
/// window here either: back-pressure comes from the transport (a slow target stalls the reading loop, as in spdystream).
/// </summary>
internal sealed class PortForwardSession(Stream connection, PortForwardRequest pod, IPortForwardHandler? handler) : IDisposable
{
    const uint RefusedStream = 3;

    readonly SpdyFramer framer = new();
    readonly SemaphoreSlim sendLock = new(1, 1);
    readonly Dictionary<uint, ForwardStream> streams = new();
    readonly Dictionary<string, StreamPair> pairs = new();
    readonly List<Task> forwards = new();

    public async Task RunAsync(CancellationToken aborted)
    {
        using var session = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        try
        {
            while (await framer.ReadAsync(connection, session.Token) is { } frame)
            {
                if (frame is GoAwayFrame) break;
                await HandleAsync(frame, session.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidDataException or ObjectDisposedException)
        {
            // The client went away or spoke garbage: either way the session is over.
        }
        finally
        {
            session.Cancel();
            await Task.WhenAll(forwards).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { });
        }
    }

    async Task HandleAsync(SpdyFrame frame, CancellationToken ct)
    {
        switch (frame)
        {
            case SynStreamFrame syn:
                await OpenStreamAsync(syn, ct);
                break;
            case DataFrame data when streams.TryGetValue(data.StreamId, out var stream):
                await stream.ReceiveAsync(data.Data, data.Fin, ct);
                break;
            case RstStreamFrame reset when streams.TryGetValue(reset.StreamId, out var stream):
                // kubectl resets the data stream once the pod's side ended, or when its local side failed.
                stream.WasReset = true;
                stream.Incoming.Writer.TryComplete();
                if (stream.IsData) stream.Pair.Stop();
                streams.Remove(reset.StreamId);
                break;
            case PingFrame ping when ping.Id % 2 == 1:
                // Odd ids are the client's pings (SPDY/3 2.6.5); the answer is the same frame back.
                await SendAsync(() => SpdyFramer.PingFrame(ping.Id), ct);
                break;
        }
    }

    async Task OpenStreamAsync(SynStreamFrame syn, CancellationToken ct)
    {
        var type = syn.Headers.GetValueOrDefault("streamtype");
        var requestId = syn.Headers.GetValueOrDefault("requestid");
        var port = syn.Headers.GetValueOrDefault("port");
        if (type is not ("data" or "error") || requestId is null || port is null)
        {
            // httpstream.go refuses a stream it cannot pair ("invalid stream type", no request id).
            await SendAsync(() => SpdyFramer.Reset(syn.StreamId, RefusedStream), ct);
            return;
        }
        if (!pairs.TryGetValue(requestId, out var pair))
            pairs[requestId] = pair = new StreamPair(requestId, port);
        var stream = new ForwardStream(syn.StreamId, type == "data", pair);
        streams[syn.StreamId] = stream;
        if (stream.IsData) pair.Data = stream; else pair.Error = stream;
        await SendAsync(() => framer.SynReplyFrame(syn.StreamId), ct);
        if (pair is { Data: not null, Error: not null })
        {
            pairs.Remove(requestId);
            forwards.Add(ForwardAsync(pair, ct));
        }
    }

    async Task ForwardAsync(StreamPair pair, CancellationToken sessionEnded)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(sessionEnded);
        pair.Stopping = stop;
        var data = pair.Data!;
        var error = pair.Error!;
        string? failure = null;
        try
        {
            if (!int.TryParse(pair.Port, out var port) || port is < 1 or > 65535)
                failure = $"invalid port \"{pair.Port}\"";
            else
            {
                var (socket, dialFailure) = await PodPort.DialAsync(handler, pod, port, stop.Token);
                failure = dialFailure;
                if (socket is not null)
                {
                    using (socket) await PipeAsync(data, socket, stop.Token);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The client reset the stream or left.
        }
        try
        {
            if (failure is not null && !error.WasReset)
                await SendAsync(() => SpdyFramer.Data(error.Id, Encoding.UTF8.GetBytes(failure), fin: false), sessionEnded);
            // kubelet closes both streams when the forward ends; the client waits for the error stream's end.
            if (!data.WasReset) await SendAsync(() => SpdyFramer.Data(data.Id, [], fin: true), sessionEnded);
            if (!error.WasReset) await SendAsync(() => SpdyFramer.Data(error.Id, [], fin: true), sessionEnded);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or ObjectDisposedException or System.Net.WebSockets.WebSocketException) { }
        data.Incoming.Writer.TryComplete();
    }

    /// <summary>Copies both ways until the target closes.</summary>
    async Task PipeAsync(ForwardStream data, Socket socket, CancellationToken ct)
    {
        await using var registration = ct.Register(socket.Dispose);

        var upload = UploadAsync(data, socket, ct);
        var buffer = new byte[PodPort.ChunkSize];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, ct)) > 0)
        {
            var chunk = buffer.AsMemory(0, n);
            await SendAsync(() => SpdyFramer.Data(data.Id, chunk.Span, fin: false), ct);
        }
        // The target closed: stop taking the client's bytes (kubectl resets the data stream on seeing our FIN anyway).
        data.Incoming.Writer.TryComplete();
        await upload.ContinueWith(_ => { });
    }

    /// <summary>Client → target; the client's FIN (its local connection closed) becomes a half-close of the target.</summary>
    static async Task UploadAsync(ForwardStream data, Socket socket, CancellationToken ct)
    {
        try
        {
            await foreach (var chunk in data.Incoming.Reader.ReadAllAsync(ct))
                await socket.SendAsync(chunk, SocketFlags.None, ct);
            if (data.FinReceived) socket.Shutdown(SocketShutdown.Send);
        }
        finally
        {
            // Whatever ended the upload, the reading loop must not wait on a channel nobody empties.
            data.Incoming.Writer.TryComplete();
        }
    }

    async Task SendAsync(Func<byte[]> frame, CancellationToken ct)
    {
        await sendLock.WaitAsync(ct);
        try
        {
            // Built under the lock: SYN_REPLY's header block advances the connection's one zlib stream, in send order.
            await connection.WriteAsync(frame(), ct);
            await connection.FlushAsync(ct);
        }
        finally { sendLock.Release(); }
    }

    public void Dispose()
    {
        framer.Dispose();
        sendLock.Dispose();
    }

    /// <summary>One SPDY stream the client opened.</summary>
    sealed class ForwardStream(uint id, bool isData, StreamPair pair)
    {
        public uint Id => id;
        public bool IsData => isData;
        public StreamPair Pair => pair;
        public bool WasReset { get; set; }
        public bool FinReceived { get; private set; }

        /// <summary>The client's bytes on the way to the target; bounded, so a slow target slows the client down.</summary>
        public Channel<byte[]> Incoming { get; } = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(16) { SingleReader = true, SingleWriter = true });

        public async Task ReceiveAsync(byte[] bytes, bool fin, CancellationToken ct)
        {
            // The error stream is read-only for the client (it sends only its FIN); only data goes anywhere.
            if (isData && bytes.Length > 0)
            {
                try { await Incoming.Writer.WriteAsync(bytes, ct); }
                catch (ChannelClosedException) { } // the forward already ended
            }
            if (fin)
            {
                FinReceived = true;
                Incoming.Writer.TryComplete();
            }
        }
    }

    /// <summary>The error and data streams of one forwarded connection (same requestID).</summary>
    sealed class StreamPair(string requestId, string port)
    {
        public string RequestId => requestId;
        public string Port => port;
        public ForwardStream? Error { get; set; }
        public ForwardStream? Data { get; set; }
        public CancellationTokenSource? Stopping { get; set; }

        public void Stop()
        {
            try { Stopping?.Cancel(); } catch (ObjectDisposedException) { }
        }
    }
}
