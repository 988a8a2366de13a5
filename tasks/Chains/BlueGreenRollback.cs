using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Steps.BlueGreen;

namespace TwisterLab.Cake.Chains;

[TaskDescription("Blue-green rollback on demand: blue scaled back, traffic back to blue, green (--image-tag) removed.")]
[IsDependentOn(typeof(RestoreBlue))]
[IsDependentOn(typeof(SwitchToBlue))]
[IsDependentOn(typeof(RemoveGreen))]
public sealed class BlueGreenRollback : FrostingTask<DeployContext>;
