using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Steps;
using TwisterLab.Cake.Steps.PostgresUpgrade;

namespace TwisterLab.Cake.Chains;

[TaskDescription("PostgreSQL major version upgrade (13 -> 16): backup, new server beside the old, restore, integrity, DATABASE_URL, restart, verify; --delete-old removes the old server. Undo before the delete: secret back, restart, new server removed.")]
[IsDependentOn(typeof(Preflight))]
[IsDependentOn(typeof(PreflightLive))]
[IsDependentOn(typeof(BackupDatabase))]
[IsDependentOn(typeof(DeployNewPostgres))]
[IsDependentOn(typeof(RestoreIntoNewPostgres))]
[IsDependentOn(typeof(VerifyNewPostgresIntegrity))]
[IsDependentOn(typeof(PointSecretAtNewPostgres))]
[IsDependentOn(typeof(RestartApi))]
[IsDependentOn(typeof(VerifyNewPostgres))]
[IsDependentOn(typeof(DeleteOldPostgres))]
public sealed class PostgresMajorUpgrade : FrostingTask<DeployContext>;
