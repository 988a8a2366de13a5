using System.Diagnostics;
using Cake.Core;
using Cake.Core.IO;
using Cake.Core.Tooling;

namespace TwisterLab.Cake.Tools;

/// <summary>
/// Cake runner for the docker CLI (Cake.Docker is not served by our feed): the few commands the Compose migration
/// needs, each built by a small static method so tests can pin the exact command line. Small answers are captured
/// through Cake's process runner; a dump is streamed by <see cref="StreamToFileAsync"/> with its own process,
/// because Cake's runner reads standard output as lines into memory.
/// </summary>
public sealed class DockerRunner(IFileSystem fileSystem, ICakeEnvironment environment, IProcessRunner processRunner, IToolLocator tools)
    : Tool<DockerSettings>(fileSystem, environment, processRunner, tools)
{
    /// <summary>docker version --format {{.Server.Version}}: fails when no engine answers, which is the point.</summary>
    public static ProcessArgumentBuilder Version()
    {
        var builder = new ProcessArgumentBuilder();
        builder.Append("version");
        builder.AppendSwitchQuoted("--format", "{{.Server.Version}}");
        return builder;
    }

    /// <summary>
    /// docker exec [-i] [--env K=V] [--env SECRET] container command... A secret variable is named without its value:
    /// docker then copies it from the CLI's own environment (<see cref="DockerSettings.PassSecrets"/> puts it there), so
    /// it never shows in the process list.
    /// </summary>
    public static ProcessArgumentBuilder Exec(DockerExec exec)
    {
        var builder = new ProcessArgumentBuilder();
        builder.Append("exec");
        if (exec.Interactive) builder.Append("--interactive");
        foreach (var (name, value) in exec.Environment) builder.AppendSwitchQuoted("--env", $"{name}={value}");
        foreach (var (name, value) in exec.SecretEnvironment) builder.AppendSwitch("--env", name);
        builder.AppendWord(exec.Container);
        foreach (var part in exec.Command) builder.AppendWord(part);
        return builder;
    }

    /// <summary>docker cp source destination (container paths are container:path).</summary>
    public static ProcessArgumentBuilder Copy(string source, string destination)
    {
        var builder = new ProcessArgumentBuilder();
        builder.Append("cp");
        builder.AppendWord(source);
        builder.AppendWord(destination);
        return builder;
    }

    /// <summary>docker compose [--file f] command... (down; up --detach).</summary>
    public static ProcessArgumentBuilder Compose(DockerComposeProject project, params string[] command)
    {
        var builder = new ProcessArgumentBuilder();
        builder.Append("compose");
        if (project.File is not null) builder.AppendSwitchQuoted("--file", project.File);
        foreach (var part in command) builder.Append(part);
        return builder;
    }

    /// <summary>The command line as plans and logs show it: secrets masked.</summary>
    public static string Describe(ProcessArgumentBuilder arguments, DockerSettings? settings = null) =>
        $"docker {WithHost(arguments, settings ?? new DockerSettings()).RenderSafe()}";

    /// <summary>Runs a docker command and returns its exit code and output; a non-zero exit is returned, not thrown.</summary>
    public DockerResult Capture(DockerSettings settings, ProcessArgumentBuilder arguments)
    {
        var output = new List<string>();
        var errors = new List<string>();
        var exitCode = -1;
        settings.HandleExitCode = _ => true; // the caller decides what a failure means
        Run(settings, WithHost(arguments, settings), new ProcessSettings { RedirectStandardOutput = true, RedirectStandardError = true }, process =>
        {
            output.AddRange(process.GetStandardOutput());
            errors.AddRange(process.GetStandardError());
            exitCode = process.GetExitCode();
        });
        return new DockerResult(exitCode, output, errors);
    }

    /// <summary>
    /// Runs a docker command whose standard output goes, byte for byte, into <paramref name="path"/> (the guide's
    /// "docker exec … pg_dump … &gt; compose_export.sql"): never held in memory. Returns the exit code and stderr.
    /// </summary>
    public async Task<DockerResult> StreamToFileAsync(DockerSettings settings, ProcessArgumentBuilder arguments, string path, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(GetToolPath(settings)?.FullPath ?? throw new CakeException("docker: Could not locate executable."))
        {
            Arguments = WithHost(arguments, settings).Render(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in settings.EnvironmentVariables ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new CakeException("docker did not start.");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true);
            await process.StandardOutput.BaseStream.CopyToAsync(file, 1 << 20, cancellationToken);
        }
        catch
        {
            // Disk full or cancelled: stop docker rather than leave it blocked on a full pipe.
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            throw;
        }
        finally
        {
            await process.WaitForExitAsync(CancellationToken.None);
        }

        return new DockerResult(process.ExitCode, [], (await stderr).Split('\n'));
    }

    private static ProcessArgumentBuilder WithHost(ProcessArgumentBuilder arguments, DockerSettings settings)
    {
        if (settings.Host is null) return arguments;
        var builder = new ProcessArgumentBuilder();
        builder.AppendSwitchQuoted("--host", settings.Host);
        foreach (var argument in arguments) builder.Append(argument);
        return builder;
    }

    protected override string GetToolName() => "docker";

    protected override IEnumerable<string> GetToolExecutableNames() => ["docker"];
}

internal static class DockerArguments
{
    /// <summary>A word as it is when nothing in it needs quoting (so plans read like typed commands), quoted otherwise.</summary>
    public static void AppendWord(this ProcessArgumentBuilder builder, string word)
    {
        if (word.Length > 0 && word.All(c => char.IsLetterOrDigit(c) || "-_./:=,@%+".Contains(c))) builder.Append(word);
        else builder.AppendQuoted(word);
    }
}
