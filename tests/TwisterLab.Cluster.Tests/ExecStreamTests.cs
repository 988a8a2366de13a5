using TwisterLab.Cake.Cluster;

namespace TwisterLab.Cluster.Tests;

/// <summary>Exec stdout into a Stream: streamed as it arrives, never materialised, and a dropped connection is an error.</summary>
public sealed class ExecStreamTests
{
    private const long Size = 256L * 1024 * 1024;

    [Fact]
    public async Task Stdout_goes_to_the_stream_and_live_memory_stays_flat()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        await cluster.CreateDeploymentAsync("postgres", "postgres:16", replicas: 1);
        await cluster.WaitRolledOutAsync("postgres");
        var sink = new MemoryWatchingSink();

        var result = await cluster.Gateway.Pods.ExecAsync(new ExecRequest("postgres", ["head", "-c", Size.ToString(), "/dev/zero"]), sink, CancellationToken.None);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Size, sink.Bytes);
        Assert.Equal(Size, result.StdoutBytes);
        Assert.Equal("", result.Stdout); // the Pods API kept nothing of it
        Assert.True(sink.LiveGrowth < 32 * 1024 * 1024, $"live heap grew by {sink.LiveGrowth:N0} bytes while 256 MiB streamed");
    }

    [Fact]
    public async Task A_connection_dropped_mid_stream_is_an_error_not_a_short_success()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        await cluster.CreateDeploymentAsync("postgres", "postgres:16", replicas: 1);
        await cluster.WaitRolledOutAsync("postgres");
        cluster.Sim!.Faults.DropExecAfter(1_000_000, "head *");
        var sink = new MemoryWatchingSink();

        var exception = await Assert.ThrowsAsync<ClusterException>(() =>
            cluster.Gateway.Pods.ExecAsync(new ExecRequest("postgres", ["head", "-c", "50000000", "/dev/zero"]), sink, CancellationToken.None));

        Assert.Contains("the connection dropped after", exception.Message);
        Assert.True(sink.Bytes <= 1_000_000, $"{sink.Bytes} bytes arrived");
    }

    /// <summary>Counts what it is given and, every 32 MiB, the live managed heap after a full collection.</summary>
    private sealed class MemoryWatchingSink : Stream
    {
        private readonly long _baseline = GC.GetTotalMemory(forceFullCollection: true);
        private long _nextSample = 32 * 1024 * 1024;

        public long Bytes { get; private set; }

        public long LiveGrowth { get; private set; }

        public override void Write(byte[] buffer, int offset, int count) => Count(count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Count(buffer.Length);
            return ValueTask.CompletedTask;
        }

        private void Count(int count)
        {
            Bytes += count;
            if (Bytes >= _nextSample)
            {
                _nextSample += 32 * 1024 * 1024;
                LiveGrowth = Math.Max(LiveGrowth, GC.GetTotalMemory(forceFullCollection: true) - _baseline);
            }
        }

        public override void Flush() { }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Bytes;
        public override long Position { get => Bytes; set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
