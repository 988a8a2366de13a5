namespace TwisterLab.Cake.Rehearsal;

/// <summary>
/// Requests to the stand-in API in the background, so that the monitor has an error rate to judge, counted (sent, and
/// failed: no answer or not 2xx) so a scenario can say how many its users saw fail.
/// </summary>
public sealed class SyntheticTraffic : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private long _sent;
    private long _failed;

    // Eight clients at once, so that slow faulty requests do not starve the window of traffic.
    private SyntheticTraffic(string baseUrl)
    {
        for (var client = 0; client < 8; client++)
        {
            _ = LoopAsync(baseUrl, _stop.Token);
        }
    }

    public static SyntheticTraffic Start(string baseUrl) => new(baseUrl);

    /// <summary>Requests answered or failed so far (a request cut off by <see cref="Dispose"/> is not counted).</summary>
    public (long Sent, long Failed) Counts => (Interlocked.Read(ref _sent), Interlocked.Read(ref _failed));

    private async Task LoopAsync(string baseUrl, CancellationToken token)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (!token.IsCancellationRequested)
        {
            try
            {
                using (var response = await client.PostAsync(baseUrl + "/mcp/list_autonomous_agents", null, token))
                {
                    Count(response.IsSuccessStatusCode);
                }

                await Task.Delay(20, token);
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or OperationCanceledException)
            {
                // The API may be between versions; keep going.
                if (!token.IsCancellationRequested)
                {
                    Count(succeeded: false);
                }
            }
        }
    }

    private void Count(bool succeeded)
    {
        Interlocked.Increment(ref _sent);
        if (!succeeded)
        {
            Interlocked.Increment(ref _failed);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
