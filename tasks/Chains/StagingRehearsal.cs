using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Steps;
using TwisterLab.Cake.Steps.RollingUpgrade;
using TwisterLab.Cake.Steps.Staging;

namespace TwisterLab.Cake.Chains;

[TaskDescription("Staging rehearsal ('Always test upgrades in staging first!'): refresh staging from production, anonymized in the same transaction; upgrade staging as production would be; integration tests; load test; monitor. Undo: image back, staging database restored as it was.")]
[IsDependentOn(typeof(Preflight))]
[IsDependentOn(typeof(PreflightLive))]
[IsDependentOn(typeof(RefreshStagingData))]
[IsDependentOn(typeof(BackupDatabase))]
[IsDependentOn(typeof(ApplyMigrations))]
[IsDependentOn(typeof(SetImage))]
[IsDependentOn(typeof(WaitForRollout))]
[IsDependentOn(typeof(VerifyHealth))]
[IsDependentOn(typeof(RunIntegrationTests))]
[IsDependentOn(typeof(RunLoadTests))]
[IsDependentOn(typeof(MonitorHealth))]
public sealed class StagingRehearsal : FrostingTask<DeployContext>;
