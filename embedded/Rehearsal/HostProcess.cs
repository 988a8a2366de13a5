using System.Diagnostics;
using TwisterLab.Cake.Cluster;

namespace TwisterLab.Cake.Rehearsal;

/// <summary>
/// A scenario's run in a host process of its own: without a terminal (stdin and stdout redirected, as a pipeline
/// runs it), or killed with SIGKILL halfway, as a crashed machine would leave it.
/// </summary>
public static class HostProcess
{
    public static async Task<int> RunAsync(RehearsalRunOptions options, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        using var process = Start(options, arguments);
        await process.WaitForExitAsync(cancellationToken).WaitAsync(TimeSpan.FromMinutes(2), cancellationToken);
        return process.ExitCode;
    }

    /// <summary>Starts the run and kills it with SIGKILL once the API deployment has rolled out the image it deploys.</summary>
    public static async Task<int> KillMidRunAsync(RehearsalRunOptions options, IReadOnlyList<string> arguments, RehearsalEnvironment world, CancellationToken cancellationToken)
    {
        var tag = HostArguments.Value(arguments, "image-tag") ?? throw new InvalidOperationException("a killed-run scenario needs --image-tag");
        using var process = Start(options, arguments);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromMinutes(1));
        try
        {
            while (!process.HasExited)
            {
                var deployment = await world.Gateway.Deployments.GetAsync("twisterlab-api", limit.Token);
                if (deployment.Spec.Template.Spec.Containers.Any(container => container.Image.EndsWith(":" + tag, StringComparison.Ordinal)))
                {
                    await world.Gateway.Deployments.WaitForRolloutAsync("twisterlab-api", new RolloutWaitOptions(TimeSpan.FromSeconds(30)), limit.Token);
                    break;
                }

                await Task.Delay(100, limit.Token);
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync(CancellationToken.None);
        }

        return process.ExitCode;
    }

    private const string EnvironmentPrefix = "TWISTERLAB_";

    private static readonly string[] CiVariables = ["GITHUB_ACTIONS", "GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY", "GITLAB_CI", "TWISTERLAB_DOTENV"];

    private static Process Start(RehearsalRunOptions options, IReadOnlyList<string> arguments)
    {
        if (!File.Exists(options.HostAssembly))
        {
            throw new InvalidOperationException($"the host {options.HostAssembly} is not built (run the rehearsal with ./build.sh --target=Rehearse)");
        }

        var start = new ProcessStartInfo("dotnet") { ArgumentList = { options.HostAssembly }, WorkingDirectory = options.WorkingDirectory };
        // The database password stays out of the process list: without --database-url the run reaches the database
        // through exec into the postgres pod, the guide's way. Every other URL (some carry a password) goes through the
        // child's environment, as TWISTERLAB_<NAME>, which the host reads as the argument (see Context.ArgumentSources).
        var urls = new Dictionary<string, string>();
        foreach (var argument in arguments.Where(argument => !argument.StartsWith("--database-url=", StringComparison.Ordinal)))
        {
            if (HostArguments.Name(argument) is { } name && name.EndsWith("-url", StringComparison.Ordinal) && argument.Contains('='))
            {
                urls[EnvironmentPrefix + name.Replace('-', '_').ToUpperInvariant()] = argument.Split('=', 2)[1];
            }
            else
            {
                start.ArgumentList.Add(argument);
            }
        }

        // The scenario's arguments are all it gets: none from this process's TWISTERLAB_* variables, and no CI outputs
        // or annotations (those belong to the run that started the rehearsal).
        foreach (var name in options.ArgumentVariables.Concat(CiVariables))
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in urls)
        {
            start.Environment[name] = value;
        }

        start.RedirectStandardInput = start.RedirectStandardOutput = start.RedirectStandardError = true;
        var process = Process.Start(start)!;
        process.StandardInput.Close();
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return process;
    }
}
