using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Steps.Sandbox;

namespace TwisterLab.Cake.Chains;

[TaskDescription("Starts the embedded world in the background and prints the arguments that run any chain against it (stop: SandboxDown).")]
[IsDependentOn(typeof(StartSandbox))]
public sealed class SandboxUp : FrostingTask<DeployContext>;
