using System.Diagnostics;
using System.Text.Json;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests;

/// <summary>
/// The sandbox as a person uses it, through build.sh: SandboxUp prints the arguments, kubectl reads the cluster through
/// the printed kubeconfig, a chain runs against it with exactly those arguments, a second SandboxUp says it runs and
/// prints the same, SandboxDown leaves none of the processes it recorded.
/// </summary>
public sealed class SandboxTests : IDisposable
{
    private readonly string _working = Directory.CreateTempSubdirectory("twisterlab-sandbox-").FullName;

    public SandboxTests()
    {
        foreach (var folder in new[] { "k8s", "rehearsal", "environments" })
        {
            Directory.CreateSymbolicLink(Path.Combine(_working, folder), Path.Combine(RepositoryRoot.Path, folder));
        }
    }

    [Fact]
    public async Task Up_kubectl_a_chain_down_and_no_process_left()
    {
        var (upExit, up) = await BuildAsync("--target=SandboxUp");
        var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(_working, ".twisterlab", "rehearsal", "sandbox", "sandbox.json"))).RootElement;
        var pids = state.GetProperty("Servers").EnumerateArray().Select(pid => pid.GetInt32()).Prepend(state.GetProperty("Pid").GetInt32()).ToList();
        try
        {
            Assert.Equal(ExitCodes.Success, upExit);
            var arguments = up.Split('\n').Select(line => line.Trim()).Where(line => line.StartsWith("--", StringComparison.Ordinal)).ToList();
            Assert.Contains("--environment=sandbox", arguments);
            Assert.Contains(arguments, argument => argument.StartsWith("--api-url=http://127.0.0.1:", StringComparison.Ordinal));
            var kubeconfig = arguments.Single(argument => argument.StartsWith("--kubeconfig=", StringComparison.Ordinal)).Split('=', 2)[1];
            Assert.Contains("postgresql://twisterlab:***@127.0.0.1:", up);
            var secrets = Path.Combine(_working, ".twisterlab", "rehearsal", "sandbox", "urls.env");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secrets));
            Assert.DoesNotContain(File.ReadAllLines(secrets)[0].Split('@')[0].Split(':')[^1], up);

            var (kubectlExit, deployments) = await RunAsync("kubectl", $"--kubeconfig={kubeconfig}", "get", "deployments", "-n", "twisterlab", "-o", "name");
            Assert.Equal(0, kubectlExit);
            Assert.Contains("deployment.apps/twisterlab-api", deployments);

            var (chainExit, chain) = await BuildAsync(["--target=RollingUpgrade", "--image-tag=v3.0", .. arguments]);
            Assert.True(chainExit == ExitCodes.Success, chain[^Math.Min(chain.Length, 2000)..]);
            var (_, image) = await RunAsync("kubectl", $"--kubeconfig={kubeconfig}", "get", "deployment/twisterlab-api", "-n", "twisterlab", "-o", "jsonpath={.spec.template.spec.containers[0].image}");
            Assert.Equal("twisterlab-api:v3.0", image.Trim());

            var (againExit, again) = await BuildAsync("--target=SandboxUp");
            Assert.Equal(ExitCodes.Success, againExit);
            Assert.Contains($"A sandbox is already running (PID {pids[0]})", again);
            Assert.All(arguments, argument => Assert.Contains(argument, again));

            var (downExit, _) = await BuildAsync("--target=SandboxDown");
            Assert.Equal(ExitCodes.Success, downExit);
            Assert.Empty(pids.Where(Alive));
        }
        finally
        {
            foreach (var pid in pids.Where(Alive))
            {
                Process.GetProcessById(pid).Kill();
            }
        }
    }

    /// <summary>Running, not a zombie waiting for its parent to read its exit.</summary>
    private static bool Alive(int pid) =>
        File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Split(") ")[^1].StartsWith('Z');

    private Task<(int, string)> BuildAsync(params string[] arguments) =>
        RunAsync(Path.Combine(RepositoryRoot.Path, "build.sh"), [.. arguments, $"--working={_working}"]);

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return (process.ExitCode, output + await error);
    }

    public void Dispose() => Directory.Delete(_working, recursive: true);
}
