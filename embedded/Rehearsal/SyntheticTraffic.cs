namespace TwisterLab.Cake.Rehearsal;

/// <summary>Requests to the stand-in API in the background, so that the monitor has an error rate to judge.</summary>
public sealed class SyntheticTraffic : IDisposable
{
    private readonly CancellationTokenSource _stop = new();

    // Eight clients at once, so that slow faulty requests do not starve the window of traffic.
    private SyntheticTraffic(string baseUrl)
    {
        for (var client = 0; client < 8; client++)
        {
            _ = LoopAsync(baseUrl, _stop.Token);
        }
    }

    public static SyntheticTraffic Start(string baseUrl) => new(baseUrl);

    private static async Task LoopAsync(string baseUrl, CancellationToken token)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        while (!token.IsCancellationRequested)
        {
            try
            {
                using var response = await client.PostAsync(baseUrl + "/mcp/list_autonomous_agents", null, token);
                await Task.Delay(20, token);
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or OperationCanceledException)
            {
                // The API may be between versions; keep going.
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }
}
