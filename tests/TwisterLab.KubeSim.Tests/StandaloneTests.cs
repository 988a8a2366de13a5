using System.Diagnostics;

namespace TwisterLab.KubeSim.Tests;

/// <summary>The simulator as its own process (what `dotnet run --project sim -- --port N --kubeconfig path` starts).</summary>
public sealed class StandaloneTests
{
    [Fact]
    public async Task Standalone_WritesTheKubeconfig_ServesKubectl_AndStopsOnSigterm()
    {
        var folder = Directory.CreateTempSubdirectory("kubesim-standalone-").FullName;
        var kubeconfig = Path.Combine(folder, "kubeconfig");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "TwisterLab.KubeSim.dll"), "--port", "0", "--kubeconfig", kubeconfig, "--pod-start-delay-ms", "50" })
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        try
        {
            var banner = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains("listening on http://127.0.0.1:", banner);
            Assert.True(File.Exists(kubeconfig));

            var kubectl = Process.Start(new ProcessStartInfo("kubectl", ["--kubeconfig", kubeconfig, "--cache-dir", Path.Combine(folder, "cache"), "get", "nodes"])
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!;
            var nodes = await kubectl.StandardOutput.ReadToEndAsync();
            await kubectl.WaitForExitAsync();
            Assert.Equal(0, kubectl.ExitCode);
            Assert.Contains("twisterlab-worker2", nodes);

            using var term = Process.Start("kill", ["-TERM", process.Id.ToString()]);
            await term.WaitForExitAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            Directory.Delete(folder, recursive: true);
        }
    }
}
