using System.Diagnostics;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests;

/// <summary>
/// --cluster=kind where it cannot run, against the real docker CLI of this machine (it has no engine): one line naming
/// what is missing and how to install it, exit 2, also in a dry run; and without the docker CLI on the PATH at all.
/// </summary>
public sealed class KindTests
{
    [Theory]
    [InlineData("--target=RollingUpgrade", "--image-tag=v2.0", "--cluster=kind", "--dryrun")]
    [InlineData("--target=RollingUpgrade", "--image-tag=v2.0", "--cluster=kind=staging")]
    [InlineData("--target=SandboxUp", "--cluster=kind")]
    public async Task Without_a_Docker_engine_it_refuses_in_one_line(params string[] arguments)
    {
        var (exitCode, output) = await BuildAsync(path: null, arguments);

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Contains("--cluster=kind needs a running Docker engine: docker version found none", output);
        Assert.Contains("https://docs.docker.com/engine/install/", output);
    }

    [Fact]
    public async Task Without_the_docker_CLI_it_says_so()
    {
        var bin = Directory.CreateTempSubdirectory("no-docker-").FullName;
        try
        {
            foreach (var program in new[] { "/usr/local/bin", "/usr/bin", "/bin" }.Where(Directory.Exists).SelectMany(Directory.GetFiles))
            {
                var link = Path.Combine(bin, Path.GetFileName(program));
                if (Path.GetFileName(program) != "docker" && !File.Exists(link))
                {
                    File.CreateSymbolicLink(link, program);
                }
            }

            var (exitCode, output) = await BuildAsync(bin, "--target=RollingUpgrade", "--image-tag=v2.0", "--cluster=kind", "--dryrun");

            Assert.Equal(ExitCodes.BadInput, exitCode);
            Assert.Contains("--cluster=kind needs Docker: the docker CLI is not installed", output);
        }
        finally
        {
            Directory.Delete(bin, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output)> BuildAsync(string? path, params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(RepositoryRoot.Path, "build.sh")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (path is not null)
        {
            // dotnet keeps its own folder; everything else comes from the links.
            start.Environment["PATH"] = $"{path}:{Path.GetDirectoryName(Environment.ProcessPath)}";
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return (process.ExitCode, output + await error);
    }
}
