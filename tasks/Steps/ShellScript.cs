using Cake.Core.IO;
using Path = System.IO.Path;
using TwisterLab.Cake.Context;

namespace TwisterLab.Cake.Steps;

/// <summary>What a shell command printed and how it ended.</summary>
public sealed record ShellResult(int ExitCode, IReadOnlyList<string> Output, string ScriptPath)
{
    public string LastLine => Output.LastOrDefault(line => line.Trim().Length > 0)?.Trim() ?? "(no output)";
}

/// <summary>
/// Runs an operator's shell command (a node upgrade hook, a test suite) through Cake's process runner. The command
/// goes into a script file in the run folder, not "sh -c &lt;command&gt;": Cake renders process arguments into one line
/// unquoted, and the command has quotes of its own. The file, and the output beside it, stay as a record of what ran.
/// </summary>
public static class ShellScript
{
    public static ShellResult Run(DeployContext context, string name, string command, IDictionary<string, string>? environment = null)
    {
        var folder = context.Runs.FolderOf(context.RunId);
        Directory.CreateDirectory(folder);
        var script = Path.Combine(folder, name + ".sh");
        File.WriteAllText(script, command + "\n");
        using var process = context.ProcessRunner.Start(new FilePath("/bin/sh"), new ProcessSettings
        {
            Arguments = ProcessArgumentBuilder.FromString(script),
            WorkingDirectory = context.Environment.WorkingDirectory,
            EnvironmentVariables = environment ?? new Dictionary<string, string>(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        });
        // Not a loop of WaitForExit(milliseconds): Cake's process wrapper kills the process when that wait times out.
        using (context.CancellationToken.Register(process.Kill))
        {
            process.WaitForExit();
        }

        var output = process.GetStandardOutput().Concat(process.GetStandardError()).Select(context.Redactor.Redact).ToList();
        File.WriteAllLines(Path.Combine(folder, name + ".log"), output);
        return new ShellResult(process.GetExitCode(), output, script);
    }

    /// <summary>Whether the command's program can be started here: a path that exists, or a name on PATH.</summary>
    public static bool IsInstalled(string command)
    {
        var program = command.Trim().Split(' ', 2)[0];
        if (program.Contains('/'))
        {
            return File.Exists(program);
        }

        return (System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Any(folder => folder.Length > 0 && File.Exists(Path.Combine(folder, program)));
    }

    public static string Program(string command) => command.Trim().Split(' ', 2)[0];
}
