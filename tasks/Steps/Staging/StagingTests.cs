using TwisterLab.Cake.Context;

namespace TwisterLab.Cake.Steps.Staging;

/// <summary>A test suite run here against the environment this run upgraded, told where it is through its environment.</summary>
internal static class StagingTests
{
    private static ShellResult Run(DeployContext context, string name, string command)
    {
        context.Log.Information("{0}: {1}", name, command);
        return ShellScript.Run(context, name, command, new Dictionary<string, string>
        {
            ["TWISTERLAB_API_URL"] = context.ApiUrl,
            ["TWISTERLAB_NAMESPACE"] = context.Settings.Namespace,
            ["TWISTERLAB_ENVIRONMENT"] = context.Settings.Environment,
        });
    }

    /// <summary>
    /// Runs the suite, shows the last lines of its output in the run's log (all of it is in the run folder) and fails
    /// the step when the suite failed.
    /// </summary>
    public static void RunAndCheck(DeployContext context, string name, string what, string command)
    {
        var result = Run(context, name, command);
        foreach (var line in result.Output.TakeLast(5))
        {
            context.Log.Information("  | {0}", line);
        }

        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} failed (exit {result.ExitCode}): {result.LastLine}; the whole output is in {context.Shown(Path.ChangeExtension(result.ScriptPath, ".log"))}.");
        }
    }
}
