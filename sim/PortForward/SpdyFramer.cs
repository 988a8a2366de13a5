using System.Buffers.Binary;

namespace TwisterLab.KubeSim.PortForward;

/// <summary>A frame the server acts on; the others (SETTINGS, WINDOW_UPDATE, HEADERS, SYN_REPLY) are read and dropped.</summary>
internal abstract record SpdyFrame;
internal sealed record SynStreamFrame(uint StreamId, bool Fin, IReadOnlyDictionary<string, string> Headers) : SpdyFrame;
internal sealed record DataFrame(uint StreamId, bool Fin, byte[] Data) : SpdyFrame;
internal sealed record RstStreamFrame(uint StreamId, uint Status) : SpdyFrame;
internal sealed record PingFrame(uint Id) : SpdyFrame;
internal sealed record GoAwayFrame(uint LastGoodStreamId) : SpdyFrame;
internal sealed record IgnoredFrame(ushort Type) : SpdyFrame;

/// <summary>
/// SPDY/3 framing (draft-mbelshe-httpbis-spdy-00, section 2.2): every frame has an 8-byte header. A control frame
/// starts with bit 1, a 15-bit version (3) and a 16-bit type; a data frame with bit 0 and a 31-bit stream id. Then
/// 8 bits of flags (FIN = 1) and a 24-bit length. Header blocks go through one zlib stream per direction.
/// </summary>
internal sealed class SpdyFramer : IDisposable
{
    const ushort Version = 3;
    const ushort SynStream = 1, SynReply = 2, RstStream = 3, Ping = 6, GoAway = 7, Headers = 8;
    const byte FlagFin = 0x01;
    /// <summary>Largest payload the 24-bit length field can say.</summary>
    public const int MaxPayload = 0xFFFFFF;

    readonly SpdyHeaderInflater inflater = new();
    readonly SpdyHeaderDeflater deflater = new();

    /// <summary>The next frame, or null when the peer closed the connection between frames.</summary>
    public async Task<SpdyFrame?> ReadAsync(Stream input, CancellationToken ct)
    {
        var header = new byte[8];
        if (!await ReadExactlyOrEndAsync(input, header, ct)) return null;
        var flags = header[4];
        var length = (int)(BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4)) & 0xFFFFFF);
        var payload = new byte[length];
        await input.ReadExactlyAsync(payload, ct);
        var fin = (flags & FlagFin) != 0;

        if ((header[0] & 0x80) == 0)
            return new DataFrame(BinaryPrimitives.ReadUInt32BigEndian(header) & 0x7FFFFFFF, fin, payload);

        var version = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(header) & 0x7FFF);
        if (version != Version) throw new InvalidDataException($"SPDY version {version} is not spoken here (3 only)");
        var type = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(2));
        switch (type)
        {
            case SynStream:
                // stream id (31), associated stream id (31), priority (3) + unused (5), slot (8), header block
                Require(length >= 10, "SYN_STREAM");
                return new SynStreamFrame(StreamId(payload), fin, inflater.Inflate(payload.AsSpan(10)));
            case SynReply or Headers:
                // A server-bound SYN_REPLY or HEADERS is unusual, but its block still advances the zlib stream.
                Require(length >= 4, "SYN_REPLY/HEADERS");
                inflater.Inflate(payload.AsSpan(4));
                return new IgnoredFrame(type);
            case RstStream:
                Require(length >= 8, "RST_STREAM");
                return new RstStreamFrame(StreamId(payload), BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(4)));
            case Ping:
                Require(length >= 4, "PING");
                return new PingFrame(BinaryPrimitives.ReadUInt32BigEndian(payload));
            case GoAway:
                Require(length >= 4, "GOAWAY");
                return new GoAwayFrame(StreamId(payload));
            default:
                return new IgnoredFrame(type);
        }
    }

    static uint StreamId(byte[] payload) => BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7FFFFFFF;

    static void Require(bool condition, string frame)
    {
        if (!condition) throw new InvalidDataException($"a {frame} frame too short to be valid");
    }

    static async Task<bool> ReadExactlyOrEndAsync(Stream input, byte[] buffer, CancellationToken ct)
    {
        var read = await input.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct);
        if (read == 0) return false;
        if (read < buffer.Length) throw new EndOfStreamException("the SPDY connection ended inside a frame header");
        return true;
    }

    /// <summary>SYN_REPLY: the server accepts a stream the client opened (header block: no headers).</summary>
    public byte[] SynReplyFrame(uint streamId)
    {
        var block = deflater.Deflate(new Dictionary<string, string>());
        var payload = new byte[4 + block.Length];
        BinaryPrimitives.WriteUInt32BigEndian(payload, streamId);
        block.CopyTo(payload, 4);
        return Control(SynReply, 0, payload);
    }

    public static byte[] Data(uint streamId, ReadOnlySpan<byte> data, bool fin)
    {
        var frame = new byte[8 + data.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, streamId & 0x7FFFFFFF);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), ((uint)(fin ? FlagFin : 0) << 24) | (uint)data.Length);
        data.CopyTo(frame.AsSpan(8));
        return frame;
    }

    /// <summary>RST_STREAM with a status code of section 2.4.2 (1 PROTOCOL_ERROR, 3 REFUSED_STREAM, 5 CANCEL …).</summary>
    public static byte[] Reset(uint streamId, uint status)
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(payload, streamId);
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4), status);
        return Control(RstStream, 0, payload);
    }

    public static byte[] PingFrame(uint id)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, id);
        return Control(Ping, 0, payload);
    }

    static byte[] Control(ushort type, byte flags, byte[] payload)
    {
        var frame = new byte[8 + payload.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, (ushort)(0x8000 | Version));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), type);
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), ((uint)flags << 24) | (uint)payload.Length);
        payload.CopyTo(frame, 8);
        return frame;
    }

    public void Dispose()
    {
        inflater.Dispose();
        deflater.Dispose();
    }
}
