using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.ComposeMigration;

/// <summary>
/// The cluster's database holds what Compose held: every table of the export with its row count. When the Compose
/// database is reachable (--compose-database-url), its content checksums and alembic revision must also equal the
/// restored ones now; a difference means Compose was still being written to, and stopping it would lose those writes.
/// </summary>
[TaskDescription("Integrity: each table of compose_export.sql is in the cluster's database with as many rows; with --compose-database-url also content checksums and alembic revision equal to Compose's.")]
public sealed class VerifyComposeImport : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return $"count the COPY rows per table of {context.Shown(ComposeHost.ExportPath(context))}; SELECT count(*) per table in deployment/{context.Settings.Profile.PostgresDeployment}: equal";
        if (!ComposeHost.UsesDocker(context))
        {
            yield return $"compare per-table content checksums and alembic revision of <--compose-database-url> with deployment/{context.Settings.Profile.PostgresDeployment}";
        }
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var exported = await PlainDumpRows.CountAsync(ComposeHost.ExportPath(context), context.CancellationToken);
        var restored = await IntegritySnapshotter.TakeAsync(context.Database, withChecksums: true, context.CancellationToken);
        var rows = restored.Tables.ToDictionary(table => table.Table, table => table.Rows);
        var problems = exported
            .Where(table => !rows.TryGetValue(table.Key, out var found) || found != table.Value)
            .Select(table => $"{table.Key}: {table.Value} rows exported, {(rows.TryGetValue(table.Key, out var found) ? found.ToString() : "missing")} restored")
            .ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"The restore is not the export: {string.Join("; ", problems)}.");
        }

        if (ComposeHost.Database(context) is { } compose)
        {
            var source = await IntegritySnapshotter.TakeAsync(compose, withChecksums: true, context.CancellationToken);
            var changed = restored.CompareTo(source).Select(difference => $"{difference.Table}: {difference.Problem}").ToList();
            if (source.AlembicRevision != restored.AlembicRevision)
            {
                changed.Add($"alembic {restored.AlembicRevision ?? "(none)"} restored, {source.AlembicRevision ?? "(none)"} in Compose");
            }

            if (changed.Count > 0)
            {
                throw new InvalidOperationException($"The cluster's database differs from Compose's ({string.Join("; ", changed)}): Compose was written to after the export. Stop its API and run again.");
            }
        }

        context.Log.Information("Integrity: {0} tables, {1} rows as exported{2}.", exported.Count, exported.Values.Sum(),
            ComposeHost.UsesDocker(context) ? string.Empty : $"; content and alembic {restored.AlembicRevision ?? "(none)"} equal to Compose's");
    }
}
