using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Data;

namespace TwisterLab.Cake.Steps.SqliteMigration;

/// <summary>
/// The guide's export to SQL and psql import, done by the data layer in one transaction: types mapped, keys and
/// sequences carried over, each table's checksum compared. Refuses tables PostgreSQL already has, so the undo
/// (drop the created tables) can never drop data that was there before.
/// </summary>
[TaskDescription("Guide steps 1 and 3: python scripts/export_sqlite_to_sql.py > sqlite_export.sql; kubectl exec -i deployment/postgres -- psql -U twisterlab twisterlab < sqlite_export.sql (undo: drop the created tables).")]
public sealed class ImportSqlite : DeployStep, IHasPreconditions, INeedDirectDatabase
{
    public IEnumerable<string> Problems(DeployContext context) => SqliteSource.Problems(context);

    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return $"export {(context.Settings.SqlitePath is { } sqlite ? context.Shown(sqlite) : "<--sqlite-path>")} to {context.Shown(ExportPath(context))}; psql -U {context.Settings.Profile.DatabaseUser} {context.Settings.Profile.DatabaseName} < it   # one transaction, per-table checksums compared";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var tables = SqliteSource.TableRows(context).Keys.ToList();
        var existing = (await IntegritySnapshotter.TakeAsync(context.Database, withChecksums: false, context.CancellationToken)).Tables
            .Select(table => table.Table.Split('.', 2)[1]).Intersect(tables).ToList();
        if (existing.Count > 0)
        {
            throw new InvalidOperationException($"PostgreSQL already has {string.Join(", ", existing)}: move them aside (or migrate into an empty database) and run again.");
        }

        context.Record(Name, new DropMigratedTables(context.Database.Database, tables, context.SecretStash.Protect(context.Database.ConnectionString)));
        PrivateFiles.CreateFolder(context.Settings.BackupDir);
        var report = await new SqliteToPostgresMigrator().MigrateAsync(context.Settings.SqlitePath!, context.Database,
            new SqliteMigrationOptions { SqlOutPath = ExportPath(context), Progress = context.Progress }, context.CancellationToken);
        foreach (var warning in report.Warnings)
        {
            context.Log.Warning("{0}", warning);
        }

        context.Log.Information("SQLite -> PostgreSQL: {0} tables, {1} rows, checksums equal; SQL kept in {2}.", report.Tables.Count, report.TotalRows, ExportPath(context));
        context.Recorder.Fact("import", new System.Text.Json.Nodes.JsonObject
        {
            ["tables"] = new System.Text.Json.Nodes.JsonArray([.. report.Tables.Select(table => new System.Text.Json.Nodes.JsonObject { ["table"] = table.Table, ["rows"] = table.Rows, ["checksum"] = table.SourceChecksum })]),
            ["rows"] = report.TotalRows,
            ["durationSeconds"] = Math.Round(report.Duration.TotalSeconds, 3),
            ["sqlExport"] = context.Shown(ExportPath(context)),
        });
    }

    private static string ExportPath(DeployContext context) => Path.Combine(context.Settings.BackupDir, $"sqlite_export_{context.RunId}.sql");
}
