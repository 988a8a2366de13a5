using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Steps;
using TwisterLab.Cake.Steps.SqliteMigration;

namespace TwisterLab.Cake.Chains;

[TaskDescription("SQLite -> PostgreSQL: deploy postgres, import the SQLite file (--sqlite-path), verify, DATABASE_URL, restart the API, health. Undo: secret back and restart, imported tables dropped, what the apply created deleted.")]
[IsDependentOn(typeof(Preflight))]
[IsDependentOn(typeof(PreflightLive))]
[IsDependentOn(typeof(DeployPostgres))]
[IsDependentOn(typeof(ImportSqlite))]
[IsDependentOn(typeof(VerifySqliteImport))]
[IsDependentOn(typeof(PointSecretAtPostgres))]
[IsDependentOn(typeof(RestartApi))]
[IsDependentOn(typeof(VerifyHealth))]
public sealed class MigrateSqliteToPostgres : FrostingTask<DeployContext>;
