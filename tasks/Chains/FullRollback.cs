using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Steps;
using TwisterLab.Cake.Steps.FullRollback;

namespace TwisterLab.Cake.Chains;

[TaskDescription("Full rollback with database restore: verify --backup (or the newest) first, then scale API to 0, restore it, previous image, scale up, verify.")]
[IsDependentOn(typeof(Preflight))]
[IsDependentOn(typeof(ChooseBackup))]
[IsDependentOn(typeof(ScaleDownApi))]
[IsDependentOn(typeof(RestoreDatabase))]
[IsDependentOn(typeof(SetPreviousImage))]
[IsDependentOn(typeof(ScaleUpApi))]
[IsDependentOn(typeof(WaitForRollout))]
[IsDependentOn(typeof(VerifyHealth))]
public sealed class FullRollback : FrostingTask<DeployContext>;
