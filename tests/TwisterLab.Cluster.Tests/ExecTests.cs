using TwisterLab.Cake.Cluster;

namespace TwisterLab.Cluster.Tests;

/// <summary>Exec in a pod of a deployment: streaming stdout to a file and stdin from a file, stderr and exit codes.</summary>
public sealed class ExecTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Stdout_is_streamed_to_a_file_byte_for_byte()
    {
        await using var cluster = await ReadyClusterAsync();
        var file = Path.Combine(Directory.CreateTempSubdirectory("exec-").FullName, "dump.sql");

        var result = await cluster.Gateway.Pods.ExecAsync(new ExecRequest("postgres", ["seq", "1", "300000"], StdoutFile: file), None);

        var expected = string.Join("", Enumerable.Range(1, 300000).Select(i => i + "\n"));
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(expected, await File.ReadAllTextAsync(file));
        Assert.Equal(new FileInfo(file).Length, result.StdoutBytes);
        Assert.Equal("", result.Stdout); // streamed to the file, not kept
    }

    [Fact]
    public async Task Stdin_is_streamed_from_a_file_and_closed_so_the_command_ends()
    {
        await using var cluster = await ReadyClusterAsync();
        var input = Path.Combine(Directory.CreateTempSubdirectory("exec-").FullName, "restore.sql");
        var bytes = new byte[3 * 1024 * 1024 + 17];
        new Random(42).NextBytes(bytes);
        await File.WriteAllBytesAsync(input, bytes);

        var result = await cluster.Gateway.Pods.ExecAsync(new ExecRequest("postgres", ["wc", "-c"], StdinFile: input), None);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(bytes.Length.ToString(), result.Stdout.Trim());
    }

    [Fact]
    public async Task A_command_that_stops_reading_its_input_early_still_ends()
    {
        await using var cluster = await ReadyClusterAsync();
        var input = Path.Combine(Directory.CreateTempSubdirectory("exec-").FullName, "big.sql");
        await File.WriteAllBytesAsync(input, new byte[8 * 1024 * 1024]);

        var result = await cluster.Gateway.Pods.ExecAsync(new ExecRequest("postgres", ["sh", "-c", "head -c 10 | wc -c; exit 4"], StdinFile: input), None);

        Assert.Equal(4, result.ExitCode);
        Assert.Equal("10", result.Stdout.Trim());
    }

    [Fact]
    public async Task A_failing_command_gives_its_exit_code_and_stderr()
    {
        await using var cluster = await ReadyClusterAsync();

        var result = await cluster.Gateway.Pods.ExecAsync(new ExecRequest("postgres", ["sh", "-c", "echo partial; echo 'FATAL: role does not exist' >&2; exit 3"]), None);

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("partial\n", result.Stdout);
        Assert.Equal("FATAL: role does not exist\n", result.Stderr);
        Assert.StartsWith("postgres-", result.Pod);
        var exception = Assert.Throws<ClusterException>(() => result.EnsureSuccess("pg_dump"));
        Assert.Contains("exit code 3", exception.Message);
        Assert.Contains("FATAL: role does not exist", exception.Message);
    }

    [Fact]
    public async Task A_missing_executable_is_a_non_zero_exit_with_the_runtime_message()
    {
        await using var cluster = await ReadyClusterAsync();

        var result = await cluster.Gateway.Pods.ExecAsync(new ExecRequest("postgres", ["no-such-tool-xyz"]), None);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("no-such-tool-xyz", result.Stderr);
    }

    [Fact]
    public async Task An_unknown_container_is_named_in_the_error()
    {
        await using var cluster = await ReadyClusterAsync();
        var exception = await Assert.ThrowsAsync<ClusterException>(() => cluster.Gateway.Pods.ExecAsync(new ExecRequest("postgres", ["true"], Container: "sidecar"), None));
        Assert.Contains("no container 'sidecar'", exception.Message);
    }

    [Fact]
    public async Task A_deployment_without_running_pods_cannot_be_exec_d_into()
    {
        await using var cluster = await TestCluster.StartSimulatorAsync();
        cluster.Sim!.Faults.MakeImageUnpullable("postgres:broken");
        await cluster.CreateDeploymentAsync("postgres", "postgres:broken", replicas: 1);
        var exception = await Assert.ThrowsAsync<ClusterException>(() => cluster.Gateway.Pods.ExecAsync(new ExecRequest("postgres", ["true"]), None));
        Assert.Contains("no running pod", exception.Message);
    }

    private static async Task<TestCluster> ReadyClusterAsync()
    {
        var cluster = await TestCluster.StartSimulatorAsync();
        await cluster.CreateDeploymentAsync("postgres", "postgres:16", replicas: 1);
        await cluster.WaitRolledOutAsync("postgres");
        return cluster;
    }
}
