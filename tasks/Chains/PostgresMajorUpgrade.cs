using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Steps;
using TwisterLab.Cake.Steps.PostgresUpgrade;

namespace TwisterLab.Cake.Chains;

[TaskDescription("PostgreSQL major version upgrade (13 -> 16) losing no write: backup, new server beside the old, the data copied by logical replication while the API writes (or dump/restore with writes refused throughout, --pg-copy), a short write freeze for the switch (both servers' content pinned there), DATABASE_URL, restart, freeze lifted, row counts and checksums of the pinned content compared, verify; --delete-old removes the old server. Undo before the delete: replication dropped, secret back, restart, freeze lifted, new server removed.")]
[IsDependentOn(typeof(Preflight))]
[IsDependentOn(typeof(PreflightLive))]
[IsDependentOn(typeof(ChooseCopyPath))]
[IsDependentOn(typeof(FreezeWritesForCopy))]
[IsDependentOn(typeof(BackupDatabase))]
[IsDependentOn(typeof(DeployNewPostgres))]
[IsDependentOn(typeof(RestoreIntoNewPostgres))]
[IsDependentOn(typeof(CopySchemaToNewPostgres))]
[IsDependentOn(typeof(StartReplication))]
[IsDependentOn(typeof(WaitForReplicationCatchUp))]
[IsDependentOn(typeof(FreezeWritesForSwitch))]
[IsDependentOn(typeof(FinishReplication))]
[IsDependentOn(typeof(VerifyNewPostgresIntegrity))]
[IsDependentOn(typeof(PointSecretAtNewPostgres))]
[IsDependentOn(typeof(RestartApi))]
[IsDependentOn(typeof(ResumeWrites))]
[IsDependentOn(typeof(VerifyContentAtFreeze))]
[IsDependentOn(typeof(VerifyNewPostgres))]
[IsDependentOn(typeof(DeleteOldPostgres))]
public sealed class PostgresMajorUpgrade : FrostingTask<DeployContext>;
