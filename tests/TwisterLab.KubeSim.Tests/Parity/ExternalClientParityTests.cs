using System.Diagnostics;
using Xunit.Abstractions;

namespace TwisterLab.KubeSim.Tests.Parity;

/// <summary>
/// The Python client (Debian's python3-kubernetes, run by /usr/bin/python3 so a pyenv python does not hide it) and
/// @kubernetes/client-node 1.x (installed by install-node-client.sh) run their case scripts against the simulator.
/// </summary>
public sealed class ExternalClientParityTests(ITestOutputHelper output) : ParityClusterTest
{
    static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Parity");

    [Fact]
    public async Task PythonClient_BehavesAsAV132ApiServer()
    {
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        var (_, stdout, stderr) = await RunAsync(python, [Path.Combine(Folder, "parity_cases.py")], Folder);
        Assert.True(stdout.Contains("CASE "), $"the Python cases did not start (is python3-kubernetes installed?):\n{stderr}");
        ParityLedger.Report("python", ParityRun.FromScriptOutput("python", stdout, stderr), output);
    }

    [Fact]
    public async Task NodeClient_BehavesAsAV132ApiServer()
    {
        var clientFolder = Environment.GetEnvironmentVariable("KUBESIM_NODE_CLIENT_DIR")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "twisterlab", "kubesim-node-client");
        var (installed, _, installErrors) = await RunAsync("bash", [Path.Combine(Folder, "install-node-client.sh"), clientFolder], Folder);
        Assert.True(installed == 0, "install-node-client.sh failed:\n" + installErrors);
        // Node resolves the package from the script's own folder upwards, so the script is copied next to node_modules.
        var script = Path.Combine(clientFolder, "parity_cases.mjs");
        File.Copy(Path.Combine(Folder, "parity_cases.mjs"), script, overwrite: true);
        var (_, stdout, stderr) = await RunAsync("node", [script], clientFolder);
        Assert.True(stdout.Contains("CASE "), "the Node cases did not start:\n" + stderr);
        ParityLedger.Report("node", ParityRun.FromScriptOutput("node", stdout, stderr), output);
    }

    async Task<(int Exit, string StdOut, string StdErr)> RunAsync(string file, string[] args, string workingDirectory)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["KUBECONFIG"] = Cluster.KubeconfigPath;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        try { await process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { process.Kill(entireProcessTree: true); }
        return (process.HasExited ? process.ExitCode : -1, await stdout, await stderr);
    }
}
