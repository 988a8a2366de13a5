using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using TwisterLab.KubeSim.Api;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Exec;

/// <summary>
/// pods/exec over WebSocket (the Kubernetes channel protocols v5 and v4): binary frames of [channel][payload],
/// 0 stdin, 1 stdout, 2 stderr, 3 the final Status, 4 resize; v5 adds [255][channel] to close a channel.
/// The exit code travels as a Status on channel 3, after which the server closes the socket normally.
/// </summary>
internal sealed class ExecEndpoint(ObjectStore store, SimFaults faults, Func<IExecHandler> handler, Containers.PodSandboxes sandboxes)
{
    const string V5 = "v5.channel.k8s.io";
    const string V4 = "v4.channel.k8s.io";
    const byte StdinChannel = 0, StdoutChannel = 1, StderrChannel = 2, ErrorChannel = 3, CloseSignal = 255;

    public async Task HandleAsync(HttpContext http, string ns, string podName)
    {
        var pod = store.Get(ResourceCatalog.Pods, ns, podName) ?? throw ApiException.NotFound(ResourceCatalog.Pods, podName);
        if (!http.WebSockets.IsWebSocketRequest)
            throw ApiException.BadRequest("Upgrade request required: the simulator speaks the WebSocket exec protocols (v5.channel.k8s.io, v4.channel.k8s.io), not SPDY");
        var phase = Json.Str(pod, "status", "phase");
        if (phase is "Succeeded" or "Failed")
            throw ApiException.BadRequest($"cannot exec into a container in a completed pod; current phase is {phase}");

        var query = http.Request.Query;
        var containers = (Json.Walk(pod, "spec", "containers") as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        var containerName = query["container"].FirstOrDefault() ?? Json.Str(containers.FirstOrDefault(), "name") ?? "";
        var container = containers.FirstOrDefault(c => Json.Str(c, "name") == containerName)
            ?? throw ApiException.BadRequest($"container {containerName} is not valid for pod {podName}");
        var running = (Json.Walk(pod, "status", "containerStatuses") as JsonArray)?.OfType<JsonObject>()
            .Any(s => Json.Str(s, "name") == containerName && Json.Walk(s, "state", "running") is not null) ?? false;
        if (!running)
            throw ApiException.BadRequest($"unable to upgrade connection: container not found (\"{containerName}\")");

        var offered = http.WebSockets.WebSocketRequestedProtocols;
        var protocol = offered.Contains(V5) ? V5 : offered.Contains(V4) ? V4 : null;
        if (protocol is null)
            throw ApiException.BadRequest($"none of the offered subprotocols ({string.Join(", ", offered)}) is supported; use {V5} or {V4}");

        var request = new ExecRequest(
            ns, podName, containerName, Json.Str(container, "image") ?? "",
            query["command"].Where(c => c is not null).Select(c => c!).ToList(),
            PodEnvironment.Of(store, pod, container),
            QueryBool.Parse(query["tty"], "tty"),
            QueryBool.Parse(query["stdin"], "stdin"))
        {
            WorkingDirectory = sandboxes.For(ns, podName, Json.Str(pod, "metadata", "uid") ?? podName),
        };

        using var webSocket = await http.WebSockets.AcceptWebSocketAsync(protocol);
        using var socket = new ChannelSocket(webSocket);
        await RunSessionAsync(socket, protocol, request, http.RequestAborted);
    }

    async Task RunSessionAsync(ChannelSocket socket, string protocol, ExecRequest request, CancellationToken aborted)
    {
        var stdin = new Pipe();
        using var session = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var receiving = ReceiveAsync(socket, stdin.Writer, protocol == V5, session.Token);

        int exitCode;
        string? failure = null;
        var dropped = false;
        try
        {
            // kubelet sends an empty first stdout frame; clients tolerate it and it proves the stream is open.
            await socket.SendAsync(StdoutChannel, ReadOnlyMemory<byte>.Empty, session.Token);
            // An injected drop also cancels the session, so the handler stops its command as a dead connection would.
            await using var stdout = new ChannelStream(socket, StdoutChannel, faults.TakeExecDrop(request.Command), () =>
            {
                dropped = true;
                session.Cancel();
            });
            await using var stderr = new ChannelStream(socket, StderrChannel);
            exitCode = await handler().ExecAsync(request, stdin.Reader.AsStream(), stdout, stderr, session.Token);
        }
        catch (Exception) when (dropped)
        {
            return; // the injected fault: no status, no close handshake
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            exitCode = -1;
            failure = e.Message;
        }

        var status = exitCode == 0 && failure is null
            ? new JsonObject { ["metadata"] = new JsonObject(), ["status"] = "Success" }
            : failure is not null
                ? new JsonObject { ["metadata"] = new JsonObject(), ["status"] = "Failure", ["message"] = failure, ["reason"] = "InternalError", ["code"] = 500 }
                : new JsonObject
                {
                    ["metadata"] = new JsonObject(),
                    ["status"] = "Failure",
                    ["message"] = $"command terminated with non-zero exit code: error executing command [{string.Join(" ", request.Command)}], exit code {exitCode}",
                    ["reason"] = "NonZeroExitCode",
                    ["details"] = new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["reason"] = "ExitCode", ["message"] = exitCode.ToString() }) },
                };
        try
        {
            await socket.SendAsync(ErrorChannel, Encoding.UTF8.GetBytes(Json.Serialize(status)), session.Token);
            await socket.CloseAsync(receiving, session.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException) { }
        finally
        {
            session.Cancel();
            stdin.Writer.Complete();
        }
    }

    static async Task ReceiveAsync(ChannelSocket socket, PipeWriter stdin, bool canCloseStdin, CancellationToken ct)
    {
        try
        {
            while (await socket.ReceiveAsync(ct) is var (channel, payload))
            {
                if (channel == StdinChannel && payload.Length > 0) await stdin.WriteAsync(payload, ct);
                else if (channel == CloseSignal && canCloseStdin && payload is [StdinChannel, ..]) await stdin.CompleteAsync();
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or InvalidOperationException) { }
        finally
        {
            await stdin.CompleteAsync();
        }
    }

    /// <summary>Thrown by a channel stream whose connection an injected fault aborted.</summary>
    sealed class ConnectionDroppedException() : IOException("the exec connection was dropped (injected fault)");

    /// <summary>
    /// A write-only stream that turns every write into one frame on its channel. With <paramref name="dropAfter"/> the
    /// socket is aborted once that many bytes went out (SimFaults.DropExecAfter).
    /// </summary>
    sealed class ChannelStream(ChannelSocket socket, byte channel, long? dropAfter = null, Action? onDrop = null) : WriteOnlyStream
    {
        long sent;

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct) => WriteAsync(buffer.AsMemory(offset, count), ct).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
        {
            if (buffer.Length == 0) return;
            if (dropAfter is { } limit && sent + buffer.Length >= limit)
            {
                var head = (int)Math.Max(0, limit - sent);
                if (head > 0) await socket.SendAsync(channel, buffer[..head], ct);
                socket.Socket.Abort();
                onDrop?.Invoke();
                throw new ConnectionDroppedException();
            }
            await socket.SendAsync(channel, buffer, ct);
            sent += buffer.Length;
        }
    }
}
