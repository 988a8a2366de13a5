using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Steps;
using TwisterLab.Cake.Steps.Maintenance;

namespace TwisterLab.Cake.Chains;

[TaskDescription("Maintenance window upgrade: maintenance page, backup, schema and data migrations, integrity check, scale up. Undo restores the database and always removes the page.")]
[IsDependentOn(typeof(Preflight))]
[IsDependentOn(typeof(EnterMaintenance))]
[IsDependentOn(typeof(BackupDatabase))]
[IsDependentOn(typeof(ApplySchemaMigrations))]
[IsDependentOn(typeof(DeployNewVersion))]
[IsDependentOn(typeof(RunDataMigration))]
[IsDependentOn(typeof(VerifyIntegrity))]
[IsDependentOn(typeof(ExitMaintenance))]
[IsDependentOn(typeof(VerifyHealth))]
public sealed class MaintenanceUpgrade : FrostingTask<DeployContext>;
