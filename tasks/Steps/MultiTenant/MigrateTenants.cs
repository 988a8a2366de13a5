using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Data;

namespace TwisterLab.Cake.Steps.MultiTenant;

/// <summary>
/// The guide's alembic migration "add_tenant_id_to_all_tables", done by the data layer's fast path: tenant_id with a
/// constant default (a metadata-only change, no table rewrite), NOT NULL, and an index built concurrently, under a
/// short lock timeout with retries. Undo: the step-1 backup restored. ApplyTenantRevision then records it in Alembic.
/// </summary>
[TaskDescription("Guide step 2's DDL, fast path: add tenant_id to all tables (default 'default', NOT NULL, index ix_<table>_tenant) under lock_timeout with retries (undo: restore the backup).")]
[IsDependentOn(typeof(BackupDatabase))]
public sealed class MigrateTenants : DeployStep, INeedDirectDatabase
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return $"ALTER TABLE <each table but alembic_version> ADD COLUMN {TenantMigrator.Column} varchar(50) NOT NULL DEFAULT 'default'   # lock_timeout 2s, retried";
        yield return $"CREATE INDEX CONCURRENTLY ix_<table>_tenant ON <table> ({TenantMigrator.Column})";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        context.Record(Name, RestoreDatabaseFromBackup.For(context, context.LastBackup!));
        var result = await new TenantMigrator().MigrateAsync(context.Database, new TenantMigrationOptions(), context.CancellationToken);
        context.Log.Information("tenant_id added: {0}.", result.Changes.Count == 0
            ? "every table had it already"
            : string.Join(", ", result.Changes.Select(change => change.Table + (change.AddedIndex is null ? string.Empty : $" (+{change.AddedIndex})"))));
    }
}
