using System.Diagnostics;

namespace TwisterLab.KubeSim.Tests;

/// <summary>The real kubectl binary against one simulated cluster, with its own discovery cache folder.</summary>
public sealed class Kubectl(SimulatedCluster cluster)
{
    readonly string cacheDir = Directory.CreateTempSubdirectory("kubesim-kubectl-cache-").FullName;

    public sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public string Output => StdOut + StdErr;
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StdOut}\n--- stderr\n{StdErr}";
    }

    public async Task<Result> RunAsync(string arguments, string? stdin = null, TimeSpan? timeout = null)
    {
        var (exit, stdout, stderr) = await RunRawAsync(arguments, stdin is null ? null : System.Text.Encoding.UTF8.GetBytes(stdin), timeout);
        return new Result(exit, System.Text.Encoding.UTF8.GetString(stdout), stderr);
    }

    /// <summary>Runs kubectl with binary stdin and stdout (a dump piped in or out of kubectl exec).</summary>
    public async Task<(int ExitCode, byte[] StdOut, string StdErr)> RunRawAsync(string arguments, byte[]? stdin = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(cluster.KubeconfigPath);
        start.ArgumentList.Add("--cache-dir");
        start.ArgumentList.Add(cacheDir);
        foreach (var arg in SplitArguments(arguments)) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        using var stdout = new MemoryStream();
        var copyOut = process.StandardOutput.BaseStream.CopyToAsync(stdout);
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) await process.StandardInput.BaseStream.WriteAsync(stdin);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {arguments} did not finish; stderr so far: {await stderr}");
        }
        await copyOut;
        return (process.ExitCode, stdout.ToArray(), await stderr);
    }

    /// <summary>Runs kubectl and fails the test, showing the output, when it exits non-zero.</summary>
    public async Task<string> SucceedAsync(string arguments, string? stdin = null)
    {
        var result = await RunAsync(arguments, stdin);
        Assert.True(result.ExitCode == 0, $"kubectl {arguments}\n{result}");
        return result.StdOut;
    }

    /// <summary>Splits on spaces, keeping single-quoted parts (JSON patches) together.</summary>
    static IEnumerable<string> SplitArguments(string text)
    {
        var current = new System.Text.StringBuilder();
        var quoted = false;
        var any = false;
        foreach (var c in text)
        {
            if (c == '\'') { quoted = !quoted; any = true; continue; }
            if (c == ' ' && !quoted)
            {
                if (any) yield return current.ToString();
                current.Clear();
                any = false;
                continue;
            }
            current.Append(c);
            any = true;
        }
        if (any) yield return current.ToString();
    }
}
