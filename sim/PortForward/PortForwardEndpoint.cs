using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using TwisterLab.KubeSim.Api;
using TwisterLab.KubeSim.Exec;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.PortForward;

/// <summary>
/// pods/portforward, both ways kubectl 1.32 asks for it. First a WebSocket (GET) with the subprotocol
/// <c>SPDY/3.1+portforward.k8s.io</c>: SPDY/3.1 tunnelled in binary messages (KEP 4006; client-go
/// tools/portforward/tunneling_dialer.go). If that upgrade is refused it falls back to a plain SPDY upgrade (POST,
/// <c>Upgrade: SPDY/3.1</c>, <c>X-Stream-Protocol-Version: portforward.k8s.io</c>; apimachinery
/// pkg/util/httpstream/spdy/upgrade.go), also served, e.g. for <c>KUBECTL_PORT_FORWARD_WEBSOCKETS=false</c>. Either way
/// the SPDY session is <see cref="PortForwardSession"/>. A WebSocket offering the kubelet's channel protocol instead,
/// as the Python and JavaScript clients do, gets <see cref="ChannelPortForward"/>.
/// </summary>
internal sealed class PortForwardEndpoint(ObjectStore store, Func<IPortForwardHandler?> handler)
{
    const string Protocol = "portforward.k8s.io";
    const string TunnelledProtocol = "SPDY/3.1+" + Protocol;
    const string Spdy = "SPDY/3.1";

    public async Task HandleAsync(HttpContext http, string ns, string podName)
    {
        var pod = store.Get(ResourceCatalog.Pods, ns, podName) ?? throw ApiException.NotFound(ResourceCatalog.Pods, podName);
        var phase = Json.Str(pod, "status", "phase");
        if (phase is not "Running")
            throw ApiException.BadRequest($"unable to upgrade connection: pod {podName} is not running (phase {phase ?? "unknown"})");
        var images = (Json.Walk(pod, "spec", "containers") as JsonArray)?.OfType<JsonObject>()
            .Select(c => Json.Str(c, "image") ?? "").ToList() ?? [];
        var request = new PortForwardRequest(ns, podName, images, 0);

        if (http.WebSockets.IsWebSocketRequest)
        {
            // The first protocol the client offers that the API server (SPDY tunnelled) or the kubelet (channels) speaks.
            var offered = http.WebSockets.WebSocketRequestedProtocols;
            var chosen = offered.Count == 0 ? "" : offered.FirstOrDefault(p => p is TunnelledProtocol or ChannelPortForward.Protocol)
                ?? throw ApiException.BadRequest($"none of the offered subprotocols ({string.Join(", ", offered)}) is supported; use {TunnelledProtocol} or {ChannelPortForward.Protocol}");
            if (chosen != TunnelledProtocol)
            {
                var ports = Ports(http.Request.Query["ports"]);
                using var channels = new ChannelSocket(await http.WebSockets.AcceptWebSocketAsync(chosen.Length == 0 ? null : chosen));
                await ChannelPortForward.RunAsync(channels, request, ports, handler(), http.RequestAborted);
                return;
            }
            // .NET refuses a subprotocol with '/' (not an RFC 2616 token), so the chosen one is answered by hand.
            http.Response.Headers.SecWebSocketProtocol = TunnelledProtocol;
            using var socket = await http.WebSockets.AcceptWebSocketAsync();
            await using var tunnel = new WebSocketByteStream(socket);
            using var session = new PortForwardSession(tunnel, request, handler());
            await session.RunAsync(http.RequestAborted);
            await CloseQuietlyAsync(socket);
            return;
        }

        var upgrade = http.Features.Get<IHttpUpgradeFeature>();
        var wantsSpdy = http.Request.Headers.Upgrade.ToString().Contains(Spdy, StringComparison.OrdinalIgnoreCase);
        var versions = http.Request.Headers["X-Stream-Protocol-Version"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries));
        if (upgrade is not { IsUpgradableRequest: true } || !wantsSpdy)
            throw ApiException.BadRequest($"Upgrade request required: port-forward speaks {TunnelledProtocol} over WebSocket or an {Spdy} upgrade");
        if (!versions.Contains(Protocol))
            throw new ApiException(403, "Forbidden", $"unable to upgrade: unable to negotiate protocol: client supports {string.Join(", ", versions)}, server supports {Protocol}");
        http.Response.Headers["X-Stream-Protocol-Version"] = Protocol;
        http.Response.Headers.Upgrade = Spdy;
        await using var connection = await upgrade.UpgradeAsync();
        using var spdySession = new PortForwardSession(connection, request, handler());
        await spdySession.RunAsync(http.RequestAborted);
    }

    /// <summary>The ports of a channel-protocol request (<c>?ports=80,5432</c>, or the parameter repeated), as the kubelet reads them.</summary>
    static List<int> Ports(Microsoft.Extensions.Primitives.StringValues values)
    {
        if (values.Count == 0)
            throw ApiException.BadRequest("query parameter \"ports\" is required");
        var ports = new List<int>();
        foreach (var text in values.SelectMany(v => (v ?? "").Split(',')))
        {
            if (!ushort.TryParse(text, out var port))
                throw ApiException.BadRequest($"unable to parse \"{text}\" as a port");
            if (port < 1)
                throw ApiException.BadRequest($"port \"{text}\" must be > 0");
            ports.Add(port);
        }

        return ports;
    }

    static async Task CloseQuietlyAsync(System.Net.WebSockets.WebSocket socket)
    {
        try
        {
            if (socket.State is System.Net.WebSockets.WebSocketState.Open or System.Net.WebSockets.WebSocketState.CloseReceived)
                await socket.CloseAsync(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, "", new CancellationTokenSource(TimeSpan.FromSeconds(2)).Token);
        }
        catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or OperationCanceledException or ObjectDisposedException) { }
    }
}
