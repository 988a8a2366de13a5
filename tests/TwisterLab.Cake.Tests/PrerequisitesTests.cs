using System.Diagnostics;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests;

/// <summary>
/// scripts/prerequisites.sh, which build.sh, build.ps1 and .ci/run call before the host starts, on a machine without
/// redis-server: a PATH of links to this machine's programs, minus redis-server. Not root (setpriv to nobody): one line
/// with the install command, exit 2. Root: apt-get (a recording stand-in on that PATH) is asked for exactly what is
/// missing. Targets that start no server never look.
/// </summary>
public sealed class PrerequisitesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("prerequisites-").FullName;
    private readonly string _bin;
    private readonly string _script;

    public PrerequisitesTests()
    {
        _bin = Path.Combine(_folder, "bin");
        Directory.CreateDirectory(_bin);
        foreach (var folder in new[] { "/usr/local/bin", "/usr/bin", "/bin" }.Where(Directory.Exists))
        {
            foreach (var program in Directory.GetFiles(folder))
            {
                var link = Path.Combine(_bin, Path.GetFileName(program));
                if (Path.GetFileName(program) is not ("redis-server" or "apt-get") && !File.Exists(link))
                {
                    File.CreateSymbolicLink(link, program);
                }
            }
        }

        // Copied beside the PATH so that nobody (the non-root run) can read it wherever the checkout lives.
        _script = Path.Combine(_folder, "prerequisites.sh");
        File.Copy(Path.Combine(RepositoryRoot.Path, "scripts", "prerequisites.sh"), _script);
        foreach (var path in new[] { _folder, _bin, _script })
        {
            File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        }
    }

    [Fact]
    public async Task Without_root_a_missing_redis_server_is_one_line_with_the_install_command_and_exit_2()
    {
        var (exitCode, error) = await RunAsync(asNobody: true, "--target=Rehearse");

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Contains("Missing for --target=Rehearse: redis-server. Install with: sudo apt-get install -y redis-server", error);
    }

    [Fact]
    public async Task As_root_with_apt_it_installs_what_is_missing_and_says_so()
    {
        var calls = Path.Combine(_folder, "apt-calls");
        // The stand-in apt-get records its arguments and "installs" redis-server by linking the real one.
        File.WriteAllText(Path.Combine(_bin, "apt-get"),
            $"#!/bin/sh\necho \"$*\" >> {calls}\ncase \"$*\" in *redis-server*) ln -sf /usr/bin/redis-server {_bin}/redis-server ;; esac\n");
        File.SetUnixFileMode(Path.Combine(_bin, "apt-get"), (UnixFileMode)0b111_101_101);

        var (exitCode, error) = await RunAsync(asNobody: false, "--target=RollingUpgrade", "--cluster=embedded");

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Contains("Installing what --target=RollingUpgrade needs: redis-server", error);
        Assert.Contains("install -y -qq --no-install-recommends redis-server", File.ReadAllText(calls));
    }

    [Theory]
    [InlineData("--target=RollingUpgrade")]
    [InlineData("--target=Rehearse", "--dryrun")]
    [InlineData("--target=RollingUpgrade", "--cluster=embedded", "--dryrun")]
    public async Task A_run_that_starts_no_server_does_not_look(params string[] arguments)
    {
        var (exitCode, error) = await RunAsync(asNobody: true, arguments);

        Assert.Equal(ExitCodes.Success, exitCode);
        Assert.Equal("", error);
    }

    private async Task<(int ExitCode, string Error)> RunAsync(bool asNobody, params string[] arguments)
    {
        var start = asNobody
            ? new ProcessStartInfo("setpriv") { ArgumentList = { "--reuid=65534", "--regid=65534", "--clear-groups", _script } }
            : new ProcessStartInfo(_script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PATH"] = _bin;
        start.WorkingDirectory = _folder;
        start.RedirectStandardError = start.RedirectStandardOutput = true;
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        return (process.ExitCode, await error);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
