using System.Diagnostics;
using System.Net.Sockets;

namespace TwisterLab.Cake.Rehearsal;

/// <summary>
/// Debian's prometheus, scraping the stand-in API every second, in a temp folder on a free loopback port; for
/// rehearsals and tests of the monitor's Prometheus path. Stopped and deleted on dispose.
/// </summary>
public sealed class ThrowawayPrometheus : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private ThrowawayPrometheus(Process process, string folder, string url)
    {
        _process = process;
        _folder = folder;
        Url = url;
    }

    public string Url { get; }

    /// <summary>Null when prometheus is not installed (the caller says so and goes on without it).</summary>
    public static async Task<ThrowawayPrometheus?> StartAsync(string scrapeUrl, CancellationToken cancellationToken = default)
    {
        var binary = new[] { "/usr/bin/prometheus", "/usr/local/bin/prometheus" }.FirstOrDefault(File.Exists);
        if (binary is null)
        {
            return null;
        }

        var folder = Directory.CreateTempSubdirectory("twisterlab-prometheus-").FullName;
        var target = new Uri(scrapeUrl);
        await File.WriteAllTextAsync(Path.Combine(folder, "prometheus.yml"), $"""
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: twisterlab-api
                metrics_path: {target.AbsolutePath}
                static_configs:
                  - targets: ["{target.Authority}"]
            """, cancellationToken);
        var port = FreePort();
        var start = new ProcessStartInfo(binary)
        {
            ArgumentList = { $"--config.file={Path.Combine(folder, "prometheus.yml")}", $"--storage.tsdb.path={Path.Combine(folder, "data")}", $"--web.listen-address=127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync(cancellationToken);
        _ = process.StandardError.ReadToEndAsync(cancellationToken);
        var prometheus = new ThrowawayPrometheus(process, folder, $"http://127.0.0.1:{port}");
        await prometheus.WaitReadyAsync(cancellationToken);
        return prometheus;
    }

    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                if ((await client.GetAsync(Url + "/-/ready", cancellationToken)).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new InvalidOperationException($"prometheus did not become ready at {Url}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
