using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Npgsql;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests;

/// <summary>
/// The sandbox as a person uses it, through build.sh: SandboxUp prints the arguments, kubectl reads the cluster through
/// the printed kubeconfig, a chain runs against it with exactly those arguments, a second SandboxUp says it runs and
/// prints the same, SandboxDown leaves none of the processes it recorded. The README's
/// <c>kubectl port-forward svc/postgres …:5432</c> reaches the sandbox's database.
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
            Assert.True(upExit == ExitCodes.Success, up);
            var arguments = up.Split('\n').Select(line => line.Trim()).Where(line => line.StartsWith("--", StringComparison.Ordinal)).ToList();
            Assert.Contains("--environment=sandbox", arguments);
            Assert.Contains(arguments, argument => argument.StartsWith("--api-url=http://127.0.0.1:", StringComparison.Ordinal));
            var kubeconfig = arguments.Single(argument => argument.StartsWith("--kubeconfig=", StringComparison.Ordinal)).Split('=', 2)[1];
            Assert.Contains("postgresql://twisterlab:***@127.0.0.1:", up);
            var secrets = Path.Combine(_working, ".twisterlab", "rehearsal", "sandbox", "urls.env");
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secrets));
            Assert.DoesNotContain(File.ReadAllLines(secrets)[0].Split('@')[0].Split(':')[^1], up);

            var (kubectlExit, deployments) = await RunAsync("kubectl", $"--kubeconfig={kubeconfig}", "get", "deployments", "-n", "twisterlab", "-o", "name");
            Assert.True(kubectlExit == 0, deployments);
            Assert.Contains("deployment.apps/twisterlab-api", deployments);

            await SelectOneThroughPortForwardAsync(kubeconfig, new Uri(File.ReadAllLines(secrets)[0].Split('=', 2)[1]));

            var (chainExit, chain) = await BuildAsync(["--target=RollingUpgrade", "--image-tag=v3.0", .. arguments]);
            Assert.True(chainExit == ExitCodes.Success, chain[^Math.Min(chain.Length, 2000)..]);
            var (_, image) = await RunAsync("kubectl", $"--kubeconfig={kubeconfig}", "get", "deployment/twisterlab-api", "-n", "twisterlab", "-o", "jsonpath={.spec.template.spec.containers[0].image}");
            Assert.Equal("twisterlab-api:v3.0", image.Trim());

            var (againExit, again) = await BuildAsync("--target=SandboxUp");
            Assert.True(againExit == ExitCodes.Success, again);
            Assert.Contains($"A sandbox is already running (PID {pids[0]})", again);
            Assert.All(arguments, argument => Assert.Contains(argument, again));

            var (downExit, down) = await BuildAsync("--target=SandboxDown");
            Assert.True(downExit == ExitCodes.Success, down);
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

    /// <summary>
    /// As the README has it: <c>kubectl port-forward svc/postgres PORT:5432</c>, then a client on localhost:PORT with the
    /// database URL's user and password. The local port is a free one, not the server's own, so only the forward can
    /// answer.
    /// </summary>
    private static async Task SelectOneThroughPortForwardAsync(string kubeconfig, Uri databaseUrl)
    {
        var localPort = FreePort();
        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { $"--kubeconfig={kubeconfig}", "-n", "twisterlab", "port-forward", "svc/postgres", $"{localPort}:5432" })
        {
            start.ArgumentList.Add(argument);
        }

        using var forward = Process.Start(start)!;
        try
        {
            var first = await forward.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(first?.StartsWith($"Forwarding from 127.0.0.1:{localPort} -> 5432", StringComparison.Ordinal) == true,
                $"kubectl port-forward printed \"{first}\"{(forward.HasExited ? ": " + await forward.StandardError.ReadToEndAsync() : "")}");
            _ = forward.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
            var user = databaseUrl.UserInfo.Split(':', 2);
            var connectionString = new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1", Port = localPort, Username = Uri.UnescapeDataString(user[0]), Password = Uri.UnescapeDataString(user[1]),
                Database = databaseUrl.AbsolutePath.TrimStart('/'), Pooling = false, Timeout = 30,
            };
            await using var connection = new NpgsqlConnection(connectionString.ConnectionString);
            await connection.OpenAsync();
            Assert.Equal(1, await new NpgsqlCommand("select 1", connection).ExecuteScalarAsync());
        }
        finally
        {
            forward.Kill();
            await forward.WaitForExitAsync();
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
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
