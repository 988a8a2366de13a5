using System.Text;

namespace TwisterLab.KubeSim.PortForward;

/// <summary>
/// The zlib preset dictionary of SPDY/3 header blocks (draft-mbelshe-httpbis-spdy-00, section 2.6.10.1 "Compression"):
/// common header names, each as a 4-byte big-endian length and the name, then status lines, dates and media types as
/// plain text. A client's zlib stream names it by its Adler-32 (FDICT, DICTID 0xe3c6a7c2), which the inflater checks.
/// </summary>
internal static class SpdyHeaderDictionary
{
    /// <summary>The Adler-32 of the dictionary: what a SPDY/3 peer's zlib header carries as DICTID.</summary>
    public const uint Adler32 = 0xe3c6a7c2;

    static readonly string[] LengthPrefixedWords =
    [
        "options", "head", "post", "put", "delete", "trace", "accept", "accept-charset", "accept-encoding",
        "accept-language", "accept-ranges", "age", "allow", "authorization", "cache-control", "connection",
        "content-base", "content-encoding", "content-language", "content-length", "content-location", "content-md5",
        "content-range", "content-type", "date", "etag", "expect", "expires", "from", "host", "if-match",
        "if-modified-since", "if-none-match", "if-range", "if-unmodified-since", "last-modified", "location",
        "max-forwards", "pragma", "proxy-authenticate", "proxy-authorization", "range", "referer", "retry-after",
        "server", "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "vary", "via", "warning",
        "www-authenticate", "method", "get", "status", "200 OK", "version", "HTTP/1.1", "url", "public", "set-cookie",
        "keep-alive", "origin",
    ];

    const string Tail =
        "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505" +
        "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized" +
        "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable" +
        "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT" +
        "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain," +
        "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";

    public static readonly byte[] Bytes = Build();

    static byte[] Build()
    {
        var bytes = new List<byte>();
        foreach (var word in LengthPrefixedWords)
        {
            bytes.AddRange([0, 0, 0, (byte)word.Length]);
            bytes.AddRange(Encoding.ASCII.GetBytes(word));
        }
        bytes.AddRange(Encoding.ASCII.GetBytes(Tail));
        return bytes.ToArray();
    }

    /// <summary>RFC 1950's Adler-32, to check the dictionary a peer names against this one.</summary>
    public static uint Adler32Of(ReadOnlySpan<byte> data)
    {
        const uint Mod = 65521;
        uint a = 1, b = 0;
        foreach (var x in data)
        {
            a = (a + x) % Mod;
            b = (b + a) % Mod;
        }
        return (b << 16) | a;
    }
}
