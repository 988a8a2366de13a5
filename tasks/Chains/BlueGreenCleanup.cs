using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Steps.BlueGreen;

namespace TwisterLab.Cake.Chains;

[TaskDescription("After the verification period: delete the blue deployment (kept as a manifest; production needs --confirm).")]
[IsDependentOn(typeof(DeleteBlue))]
public sealed class BlueGreenCleanup : FrostingTask<DeployContext>;
