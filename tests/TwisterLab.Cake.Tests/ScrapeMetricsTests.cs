using System.Net;
using TwisterLab.Cake.Metrics;

namespace TwisterLab.Cake.Tests;

public sealed class ScrapeMetricsTests
{
    [Fact]
    public void Reads_counters_histograms_and_labels_from_the_text_format()
    {
        var samples = PrometheusText.Parse("""
            # TYPE twisterlab_http_requests_total counter
            twisterlab_http_requests_total{status="200",path="/a\"b"} 12
            twisterlab_http_request_duration_seconds_bucket{le="+Inf"} 3
            twisterlab_db_connections 5
            """);

        Assert.Equal(3, samples.Count);
        Assert.Equal("/a\"b", samples[0].Labels["path"]);
        Assert.Equal(12, samples[0].Value);
        Assert.Equal("+Inf", samples[1].Labels["le"]);
    }

    [Theory]
    [InlineData(0.5, 0.3125)]   // rank 50 falls in (0.2, 0.5]: 0.2 + 0.3 × 30/80
    [InlineData(0.95, 0.48125)] // 0.2 + 0.3 × 75/80
    public void Interpolates_quantiles_like_histogram_quantile(double quantile, double expected)
    {
        (double, double)[] cumulative = [(0.1, 0), (0.2, 20), (0.5, 100), (double.PositiveInfinity, 100)];

        Assert.Equal(expected, ScrapeMetricsSource.Quantile(cumulative, quantile)!.Value, precision: 5);
    }

    [Fact]
    public async Task The_difference_from_the_first_scrape_gives_the_error_rate_of_the_window()
    {
        var pages = new Queue<string>([Page(ok: 100, errors: 0), Page(ok: 190, errors: 10)]);
        var source = new ScrapeMetricsSource("http://api/metrics", new HttpClient(new Pages(pages)));

        await source.SampleAsync(CancellationToken.None);
        var sample = await source.SampleAsync(CancellationToken.None);

        Assert.Equal(0.1, sample.ErrorRate!.Value, precision: 6);
        Assert.Equal(1.0, sample.AgentSuccessRate);
    }

    private static string Page(int ok, int errors) => $$"""
        twisterlab_http_requests_total{status="200"} {{ok}}
        twisterlab_http_requests_total{status="500"} {{errors}}
        twisterlab_agent_runs_total{result="success"} {{ok}}
        twisterlab_http_request_duration_seconds_bucket{le="0.1"} {{ok + errors}}
        twisterlab_http_request_duration_seconds_bucket{le="+Inf"} {{ok + errors}}
        """;

    private sealed class Pages(Queue<string> pages) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(pages.Dequeue()) });
    }
}
