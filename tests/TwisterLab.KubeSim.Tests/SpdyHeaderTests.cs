using TwisterLab.KubeSim.PortForward;

namespace TwisterLab.KubeSim.Tests;

/// <summary>The SPDY/3 header compression of the port-forward server, without a cluster.</summary>
public sealed class SpdyHeaderTests
{
    /// <summary>
    /// Two SYN_STREAM header blocks as a SPDY/3 client compresses them: one zlib stream with the SPDY/3 dictionary
    /// (FDICT, DICTID e3c6a7c2), sync-flushed per frame. Made with Python's zlib (compressobj with zdict = the spec's
    /// dictionary, Z_SYNC_FLUSH), not with our code; the second block leans on the first one's window.
    /// </summary>
    const string ErrorStreamBlock = "78f9e3c6a7c202253a48f95b044eeaa626c646409ab308125f99a074cc68004e892545a989b9d0c2863515141500000000ffff";
    const string DataStreamBlock = "225333a8a44a04000000ffff";

    [Fact]
    public void The_dictionary_is_the_one_SPDY3_clients_name()
    {
        Assert.Equal(1423, SpdyHeaderDictionary.Bytes.Length);
        Assert.Equal(SpdyHeaderDictionary.Adler32, SpdyHeaderDictionary.Adler32Of(SpdyHeaderDictionary.Bytes));
    }

    [Fact]
    public void A_clients_blocks_inflate_frame_after_frame_with_the_preset_dictionary()
    {
        using var inflater = new SpdyHeaderInflater();

        var error = inflater.Inflate(Convert.FromHexString(ErrorStreamBlock));
        var data = inflater.Inflate(Convert.FromHexString(DataStreamBlock));

        Assert.Equal(new Dictionary<string, string> { ["port"] = "5432", ["requestid"] = "0", ["streamtype"] = "error" }, error);
        Assert.Equal(new Dictionary<string, string> { ["port"] = "5432", ["requestid"] = "0", ["streamtype"] = "data" }, data);
    }

    [Fact]
    public void A_stream_naming_another_dictionary_is_refused()
    {
        var bytes = Convert.FromHexString(ErrorStreamBlock);
        bytes[5] ^= 0xff; // the last byte of DICTID
        using var inflater = new SpdyHeaderInflater();
        Assert.Throws<InvalidDataException>(() => inflater.Inflate(bytes));
    }

    [Fact]
    public void The_servers_own_blocks_read_back_as_one_stream()
    {
        using var deflater = new SpdyHeaderDeflater();
        using var inflater = new SpdyHeaderInflater();
        foreach (var headers in new[]
        {
            new Dictionary<string, string>(),
            new Dictionary<string, string> { ["status"] = "200", ["x-stream"] = new string('x', 5000) },
            new Dictionary<string, string> { ["status"] = "200" },
        })
            Assert.Equal(headers, inflater.Inflate(deflater.Deflate(headers)));
    }
}
