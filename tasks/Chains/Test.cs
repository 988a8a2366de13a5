using Cake.Common.Tools.DotNet;
using Cake.Common.Tools.DotNet.Test;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Chains;

[TaskDescription("Builds and runs the whole test suite (unit, snapshot, and integration against real servers and the simulator).")]
public sealed class Test : FrostingTask<DeployContext>
{
    public override void Run(DeployContext context)
    {
        var settings = new DotNetTestSettings
        {
            Configuration = "Release",
            Filter = context.Arguments.HasArgument(DeployArguments.TestFilter) ? context.Arguments.GetArgument(DeployArguments.TestFilter) : null,
            Loggers = ["console;verbosity=normal"],
        };
        context.DotNetTest("TwisterLab.Cake.sln", settings);
    }
}
