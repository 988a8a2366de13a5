using Cake.Common.Tools.DotNet;
using Cake.Common.Tools.DotNet.Test;
using Cake.Common;
using Cake.Core.IO;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.Test;

[TaskDescription("dotnet test on the solution (Release), --test-filter as its --filter.")]
public sealed class RunTestSuite : FrostingTask<DeployContext>
{
    public override void Run(DeployContext context)
    {
        InstallPowerShell(context);
        var settings = new DotNetTestSettings
        {
            Configuration = "Release",
            Filter = context.Arguments.HasArgument(DeployArguments.TestFilter) ? context.Arguments.GetArgument(DeployArguments.TestFilter) : null,
            Loggers = ["console;verbosity=normal"],
        };
        context.DotNetTest("TwisterLab.Cake.sln", settings);
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
