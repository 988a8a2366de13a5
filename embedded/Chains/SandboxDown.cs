using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Steps.Sandbox;

namespace TwisterLab.Cake.Chains;

[TaskDescription("Stops the sandbox started by SandboxUp (every process it recorded, by PID).")]
[IsDependentOn(typeof(StopSandbox))]
public sealed class SandboxDown : FrostingTask<DeployContext>;
