using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Steps;
using TwisterLab.Cake.Steps.MultiTenant;

namespace TwisterLab.Cake.Chains;

[TaskDescription("Single tenant -> multi-tenant: backup, tenant_id on all tables (fast path), the Alembic revision add_tenant_support written and applied, verify, the guide's POST /agents/ with a tenantId, health. Undo: alembic downgrade, then restore the backup.")]
[IsDependentOn(typeof(Preflight))]
[IsDependentOn(typeof(BackupDatabase))]
[IsDependentOn(typeof(MigrateTenants))]
[IsDependentOn(typeof(ApplyTenantRevision))]
[IsDependentOn(typeof(VerifyTenants))]
[IsDependentOn(typeof(CreateTenantAgent))]
[IsDependentOn(typeof(VerifyHealth))]
public sealed class MigrateToMultiTenant : FrostingTask<DeployContext>;
