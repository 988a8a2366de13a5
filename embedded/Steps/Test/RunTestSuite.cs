using Cake.Common.Tools.DotNet;
using Cake.Common.Tools.DotNet.Test;
using Cake.Common;
using Cake.Core.IO;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.Test;

[TaskDescription("dotnet test on the solution (Release), --test-filter as its --filter; prints a per-project summary last.")]
public sealed class RunTestSuite : FrostingTask<DeployContext>
{
    public override void Run(DeployContext context)
    {
        InstallPowerShell(context);
        var results = context.Environment.WorkingDirectory.Combine(".twisterlab/test-results");
        if (Directory.Exists(results.FullPath))
        {
            Directory.Delete(results.FullPath, recursive: true);
        }
        var settings = new DotNetTestSettings
        {
            Configuration = "Release",
            Filter = context.Arguments.HasArgument(DeployArguments.TestFilter) ? context.Arguments.GetArgument(DeployArguments.TestFilter) : null,
            Loggers = ["console;verbosity=normal", "trx"],
            ResultsDirectory = results,
        };
        try
        {
            context.DotNetTest("TwisterLab.Cake.sln", settings);
        }
        finally
        {
            Summarise(context, TestResults.Read(results.FullPath));
        }
    }

    private static void Summarise(DeployContext context, TestResults results)
    {
        foreach (var project in results.Projects)
        {
            var slowest = string.Join(", ", project.Slowest.Select(c => $"{c.Name} {c.Duration.TotalSeconds:0}s"));
            context.Log.Information("{0}", $"{project.Name}: {project.Passed} passed, {project.Failed} failed, {project.Skipped} skipped in {project.Duration.TotalSeconds:0} s; slowest: {slowest}");
            foreach (var failure in project.Failures)
            {
                context.Log.Error("FAILED {0}{1}: {2}", failure.Name, failure.Where is null ? "" : $" at {failure.Where}", failure.Message ?? "(no message)");
            }
        }
        context.Recorder.Fact("tests", System.Text.Json.JsonSerializer.SerializeToNode(results.Projects.Select(p => new { p.Name, p.Passed, p.Failed, p.Skipped, Seconds = (int)p.Duration.TotalSeconds, Failures = p.Failures.Select(f => f.Name) })));
    }

    // build.ps1 is tested for real; PowerShell is a .NET tool, installed once into .twisterlab/tools.
    private static void InstallPowerShell(DeployContext context)
    {
        var tools = context.Environment.WorkingDirectory.Combine(".twisterlab/tools");
        if (!File.Exists(tools.CombineWithFilePath("pwsh").FullPath))
        {
            var arguments = new ProcessArgumentBuilder().Append("tool install PowerShell --version 7.6.9 --tool-path").AppendQuoted(tools.FullPath);
            if (context.StartProcess("dotnet", new ProcessSettings { Arguments = arguments }) != 0)
            {
                throw new InvalidOperationException("Could not install PowerShell 7.6.9 as a .NET tool (build.ps1 is tested with it).");
            }
        }
    }
}
