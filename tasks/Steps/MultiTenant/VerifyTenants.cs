using Npgsql;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.MultiTenant;

/// <summary>Every table of the backup still has its rows, and each (but alembic_version) has a NOT NULL tenant_id with no row left without one.</summary>
[TaskDescription("Verify: every table has tenant_id NOT NULL with its index, no row without a tenant, row counts as in the backup.")]
public sealed class VerifyTenants : DeployStep, INeedDirectDatabase
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return $"SELECT table_name, is_nullable FROM information_schema.columns WHERE column_name = '{TenantMigrator.Column}'; SELECT count(*) per table   # against the backup's manifest";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var backup = await BackupManifest.ReadAsync(context.LastBackup!, context.CancellationToken);
        var now = await IntegritySnapshotter.TakeAsync(context.Database, withChecksums: false, context.CancellationToken);
        var problems = backup.TableRows
            .Where(table => now.Tables.FirstOrDefault(found => found.Table == table.Key)?.Rows != table.Value)
            .Select(table => $"{table.Key}: {table.Value} rows before, {now.Tables.FirstOrDefault(found => found.Table == table.Key)?.Rows.ToString() ?? "missing"} now")
            .ToList();
        await using var connection = await PostgresErrors.OpenAsync(context.Database, context.CancellationToken);
        foreach (var table in now.Tables.Where(table => !table.Table.EndsWith(".alembic_version", StringComparison.Ordinal)))
        {
            var (schema, name) = (table.Table.Split('.')[0], table.Table.Split('.')[1]);
            await using var column = new NpgsqlCommand("SELECT is_nullable FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 AND column_name = $3", connection)
            {
                Parameters = { new() { Value = schema }, new() { Value = name }, new() { Value = TenantMigrator.Column } },
            };
            var nullable = await column.ExecuteScalarAsync(context.CancellationToken) as string;
            if (nullable != "NO")
            {
                problems.Add(nullable is null ? $"{table.Table} has no {TenantMigrator.Column}" : $"{table.Table}.{TenantMigrator.Column} is nullable");
                continue;
            }

            await using var index = new NpgsqlCommand("SELECT count(*) FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 AND indexdef LIKE $3", connection)
            {
                Parameters = { new() { Value = schema }, new() { Value = name }, new() { Value = $"%({TenantMigrator.Column})%" } },
            };
            if ((long)(await index.ExecuteScalarAsync(context.CancellationToken))! == 0)
            {
                problems.Add($"{table.Table} has no index on {TenantMigrator.Column}");
            }
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"Multi-tenant migration incomplete: {string.Join("; ", problems)}.");
        }

        context.Log.Information("Multi-tenant: {0} tables with {1} NOT NULL and indexed, row counts as before.", now.Tables.Count - 1, TenantMigrator.Column);
    }
}
