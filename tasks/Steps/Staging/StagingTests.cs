using TwisterLab.Cake.Context;

namespace TwisterLab.Cake.Steps.Staging;

/// <summary>A test suite run here against the environment this run upgraded, told where it is through its environment.</summary>
internal static class StagingTests
{
    public static ShellResult Run(DeployContext context, string name, string command)
    {
        context.Log.Information("{0}: {1}", name, command);
        return ShellScript.Run(context, name, command, new Dictionary<string, string>
        {
            ["TWISTERLAB_API_URL"] = context.ApiUrl,
            ["TWISTERLAB_NAMESPACE"] = context.Settings.Namespace,
            ["TWISTERLAB_ENVIRONMENT"] = context.Settings.Environment,
        });
    }

    /// <summary>The last lines of the suite's output in the run's log; all of it is in the run folder.</summary>
    public static void LogTail(DeployContext context, ShellResult result, int lines = 5)
    {
        foreach (var line in result.Output.TakeLast(lines))
        {
            context.Log.Information("  | {0}", line);
        }
    }
}
