using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Steps.Test;

namespace TwisterLab.Cake.Chains;

[TaskDescription("Builds and runs the whole test suite (unit, snapshot, and integration against real servers and the simulator).")]
[IsDependentOn(typeof(RunTestSuite))]
public sealed class Test : FrostingTask<DeployContext>;
