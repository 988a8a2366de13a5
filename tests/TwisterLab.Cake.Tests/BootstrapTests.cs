using System.Diagnostics;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests;

/// <summary>
/// build.sh and build.ps1 as a person runs them: bad input gives exit 2 and one line, a dry run prints the plan.
/// PowerShell comes from .twisterlab/tools (the Test target installs it) or the PATH.
/// </summary>
public sealed class BootstrapTests
{
    public static TheoryData<string> Shells() => new() { "bash", "pwsh" };

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task An_unknown_target_exits_2_with_one_line(string shell)
    {
        var (exitCode, output, error) = await RunAsync(shell, "--target=RolingUpgrade");

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Contains("Unknown target 'RolingUpgrade'. Did you mean 'RollingUpgrade'?", error + output);
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task A_dry_run_prints_the_plan(string shell)
    {
        var (exitCode, output, _) = await RunAsync(shell, "--target=RollingUpgrade", "--image-tag=v2.0", "--dryrun");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains("kubectl set image deployment/twisterlab-api twisterlab-api=twisterlab-api:v2.0 -n twisterlab", output);
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task A_lone_version_answers_as_the_engine_does(string shell)
    {
        // A lone --version is answered before the engine is built; beside any other argument, Cake's version feature answers.
        var (alone, aloneOutput, aloneError) = await RunAsync(shell, "--version");
        var (engine, engineOutput, engineError) = await RunAsync(shell, "--version", "--verbosity=quiet");

        Assert.True(alone == ExitCodes.Success && engine == ExitCodes.Success, aloneError + engineError);
        Assert.Matches(@"^\d+\.\d+\.\d+", aloneOutput.Trim());
        Assert.Equal(engineOutput.Trim(), aloneOutput.Trim());
    }

    [Theory]
    [MemberData(nameof(Shells))]
    public async Task A_relative_kubeconfig_is_read_from_the_directory_the_user_ran_the_script_from(string shell)
    {
        await using var sim = await KubeSim.SimulatedCluster.StartAsync();
        var caller = Directory.CreateTempSubdirectory("twisterlab-caller-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(caller, "kc"));
            File.Copy(sim.KubeconfigPath, Path.Combine(caller, "kc", "cluster.yaml"));

            var (exitCode, output, error) = await RunInAsync(caller, shell, "--target=RollingUpgrade", "--image-tag=v2.0", "--dryrun", "--kubeconfig=kc/cluster.yaml");
            Assert.True(exitCode == ExitCodes.Success, error + output);
            Assert.Contains($"Plan for RollingUpgrade on {sim.BaseUri.ToString().TrimEnd('/')} (context {KubeSim.SimulatedCluster.ContextName})", output);

            (exitCode, output, error) = await RunInAsync(caller, shell, "--target=RollingUpgrade", "--image-tag=v2.0", "--dryrun", "--kubeconfig=kc/missing.yaml");
            Assert.Equal(ExitCodes.BadInput, exitCode);
            Assert.Contains($"'{Path.Combine(caller, "kc", "missing.yaml")}' does not exist", error + output);
            Assert.DoesNotContain("An error occurred", error + output);
        }
        finally
        {
            Directory.Delete(caller, recursive: true);
        }
    }

    /// <summary>
    /// build.sh and build.ps1 share one host only while they describe it in the same words (how it is published, for
    /// which instruction sets): were they to differ, each would rebuild the other's host, minutes every time.
    /// </summary>
    [Fact]
    public async Task Neither_script_rebuilds_the_host_the_other_built()
    {
        await RunAsync("bash", "--version"); // builds the host when a source changed since it was built

        var (pwshExit, pwshOutput, pwshError) = await RunAsync("pwsh", "--version");
        var (bashExit, bashOutput, bashError) = await RunAsync("bash", "--version");

        Assert.True(pwshExit == ExitCodes.Success && bashExit == ExitCodes.Success, pwshError + bashError);
        Assert.DoesNotContain("Building the build host", pwshOutput + pwshError);
        Assert.DoesNotContain("Building the build host", bashOutput + bashError);
    }

    private static Task<(int ExitCode, string Output, string Error)> RunAsync(string shell, params string[] arguments) =>
        RunInAsync(Path.GetTempPath(), shell, arguments);

    private static async Task<(int ExitCode, string Output, string Error)> RunInAsync(string workingDirectory, string shell, params string[] arguments)
    {
        var start = shell == "bash"
            ? new ProcessStartInfo(Path.Combine(RepositoryRoot.Path, "build.sh"))
            : new ProcessStartInfo(Pwsh()) { ArgumentList = { "-NoLogo", "-NoProfile", "-File", Path.Combine(RepositoryRoot.Path, "build.ps1") } };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.RedirectStandardOutput = start.RedirectStandardError = true;
        start.WorkingDirectory = workingDirectory;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
        return (process.ExitCode, await output, await error);
    }

    private static string Pwsh()
    {
        var local = Path.Combine(RepositoryRoot.Path, ".twisterlab", "tools", "pwsh");
        return File.Exists(local) ? local : "pwsh";
    }
}
