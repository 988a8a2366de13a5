using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Steps;
using TwisterLab.Cake.Steps.RollingUpgrade;

namespace TwisterLab.Cake.Chains;

[TaskDescription("Rolling update (the default strategy): backup, migrate, set image, rollout status, health, monitor. Undo: rollout undo to the revision before.")]
[IsDependentOn(typeof(Preflight))]
[IsDependentOn(typeof(MeasureBaseline))]
[IsDependentOn(typeof(BackupDatabase))]
[IsDependentOn(typeof(ApplyMigrations))]
[IsDependentOn(typeof(SetImage))]
[IsDependentOn(typeof(WaitForRollout))]
[IsDependentOn(typeof(VerifyHealth))]
[IsDependentOn(typeof(MonitorHealth))]
public sealed class RollingUpgrade : FrostingTask<DeployContext>;
