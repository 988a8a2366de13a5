namespace TwisterLab.Cake.Cluster;

/// <summary>Counts the HTTP requests a client sends (benchmarks and "no polling" checks read it).</summary>
public sealed class RequestCounter : DelegatingHandler
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        return base.SendAsync(request, cancellationToken);
    }
}
