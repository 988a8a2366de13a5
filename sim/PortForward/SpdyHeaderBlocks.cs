using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace TwisterLab.KubeSim.PortForward;

/// <summary>
/// SPDY/3 name/value header blocks (draft-mbelshe-httpbis-spdy-00, 2.6.10): a 32-bit pair count, then per pair a
/// 32-bit length and the lower-case name, a 32-bit length and the value (several values joined by NUL). Each direction
/// of a connection is one zlib stream, sync-flushed at the end of every frame's block.
/// </summary>
internal static class SpdyHeaderBlocks
{
    public static byte[] Encode(IReadOnlyDictionary<string, string> headers)
    {
        var block = new MemoryStream();
        WriteLength(block, headers.Count);
        foreach (var (name, value) in headers)
        {
            WriteString(block, name.ToLowerInvariant());
            WriteString(block, value);
        }
        return block.ToArray();
    }

    static void WriteLength(Stream block, int length)
    {
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(number, (uint)length);
        block.Write(number);
    }

    static void WriteString(Stream block, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        WriteLength(block, bytes.Length);
        block.Write(bytes);
    }

    public static Dictionary<string, string> Decode(ReadOnlySpan<byte> block)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var count = ReadLength(ref block);
        for (var i = 0; i < count; i++)
        {
            var name = ReadString(ref block);
            headers[name] = ReadString(ref block);
        }
        return headers;
    }

    static int ReadLength(ref ReadOnlySpan<byte> block)
    {
        if (block.Length < 4) throw new InvalidDataException("truncated SPDY header block");
        var length = BinaryPrimitives.ReadUInt32BigEndian(block);
        block = block[4..];
        return length <= int.MaxValue ? (int)length : throw new InvalidDataException("oversized SPDY header length");
    }

    static string ReadString(ref ReadOnlySpan<byte> block)
    {
        var length = ReadLength(ref block);
        if (block.Length < length) throw new InvalidDataException("truncated SPDY header block");
        var text = Encoding.UTF8.GetString(block[..length]);
        block = block[length..];
        return text;
    }
}

/// <summary>
/// Inflates the header blocks one peer sends, frame after frame, as one zlib stream with SPDY's preset dictionary.
/// .NET's inflaters take no preset dictionary, so the raw deflate data is preceded by a stored (uncompressed) block
/// holding the dictionary: the inflater's window then starts with it, which is all a preset dictionary is (RFC 1950
/// 2.2, FDICT), and the dictionary's own bytes are skipped on output.
/// </summary>
internal sealed class SpdyHeaderInflater : IDisposable
{
    readonly FeedStream compressed = new();
    readonly DeflateStream inflater;
    bool zlibHeaderRead;
    int dictionaryBytesToSkip;

    public SpdyHeaderInflater() => inflater = new DeflateStream(compressed, CompressionMode.Decompress);

    /// <summary>The header block of one frame, from the compressed bytes that frame carried.</summary>
    public Dictionary<string, string> Inflate(ReadOnlySpan<byte> frameBytes)
    {
        if (!zlibHeaderRead) frameBytes = ReadZlibHeader(frameBytes);
        compressed.Add(frameBytes.ToArray());
        var output = new MemoryStream();
        var buffer = new byte[4096];
        int n;
        // The sender sync-flushed the frame, so everything it holds comes out of what was fed; the feed then answers
        // 0 (no more input for now) and the inflater stops there, keeping its window for the next frame.
        while ((n = inflater.Read(buffer)) > 0)
        {
            var skip = Math.Min(n, dictionaryBytesToSkip);
            dictionaryBytesToSkip -= skip;
            output.Write(buffer, skip, n - skip);
        }
        return SpdyHeaderBlocks.Decode(output.ToArray());
    }

    ReadOnlySpan<byte> ReadZlibHeader(ReadOnlySpan<byte> bytes)
    {
        // RFC 1950 2.2: CMF (method 8 = deflate), FLG (FDICT = 0x20), then DICTID when FDICT is set.
        if (bytes.Length < 2 || (bytes[0] & 0x0f) != 8 || ((bytes[0] << 8) | bytes[1]) % 31 != 0)
            throw new InvalidDataException("the SPDY header block does not start a zlib stream");
        var withDictionary = (bytes[1] & 0x20) != 0;
        bytes = bytes[2..];
        if (withDictionary)
        {
            if (bytes.Length < 4) throw new InvalidDataException("truncated zlib header");
            var dictionaryId = BinaryPrimitives.ReadUInt32BigEndian(bytes);
            if (dictionaryId != SpdyHeaderDictionary.Adler32)
                throw new InvalidDataException($"the zlib stream names dictionary {dictionaryId:x8}, not SPDY/3's");
            bytes = bytes[4..];
            compressed.Add(StoredBlock(SpdyHeaderDictionary.Bytes));
            dictionaryBytesToSkip = SpdyHeaderDictionary.Bytes.Length;
        }
        zlibHeaderRead = true;
        return bytes;
    }

    /// <summary>A non-final stored deflate block (RFC 1951 3.2.4): header bits 000, then LEN, NLEN and the bytes.</summary>
    static byte[] StoredBlock(byte[] content)
    {
        var block = new byte[5 + content.Length];
        block[0] = 0; // BFINAL 0, BTYPE 00; the rest of the byte is padding
        BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan(1), (ushort)content.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan(3), (ushort)~content.Length);
        content.CopyTo(block, 5);
        return block;
    }

    public void Dispose() => inflater.Dispose();

    /// <summary>A read-only stream of the chunks fed so far; it answers 0 when they are used up instead of waiting.</summary>
    sealed class FeedStream : Stream
    {
        readonly Queue<byte[]> chunks = new();
        int offset;

        public void Add(byte[] chunk) { if (chunk.Length > 0) chunks.Enqueue(chunk); }

        public override int Read(byte[] buffer, int start, int count) => Read(buffer.AsSpan(start, count));

        public override int Read(Span<byte> buffer)
        {
            if (!chunks.TryPeek(out var chunk)) return 0;
            var n = Math.Min(buffer.Length, chunk.Length - offset);
            chunk.AsSpan(offset, n).CopyTo(buffer);
            offset += n;
            if (offset == chunk.Length) { chunks.Dequeue(); offset = 0; }
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long o, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int start, int count) => throw new NotSupportedException();
    }
}

/// <summary>
/// Compresses the header blocks the server sends as one zlib stream, sync-flushed per frame. No preset dictionary:
/// a SPDY reader only asks for one when the stream's FDICT flag says it was used (Go's compress/zlib NewReaderDict,
/// which moby/spdystream's framer uses, reads the dictionary only then), and a dictionary-less stream is valid zlib.
/// </summary>
internal sealed class SpdyHeaderDeflater : IDisposable
{
    readonly MemoryStream output = new();
    readonly ZLibStream deflater;

    public SpdyHeaderDeflater() => deflater = new ZLibStream(output, CompressionLevel.Fastest, leaveOpen: true);

    public byte[] Deflate(IReadOnlyDictionary<string, string> headers)
    {
        deflater.Write(SpdyHeaderBlocks.Encode(headers));
        deflater.Flush(); // Z_SYNC_FLUSH: the frame's bytes are complete, the stream continues
        var bytes = output.ToArray();
        output.SetLength(0);
        return bytes;
    }

    public void Dispose() => deflater.Dispose();
}
