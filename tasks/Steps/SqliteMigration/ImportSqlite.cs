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
[TaskDescription("Guide steps 1 and 3: python scripts/export_sqlite_to_sql.py > sqlite_export.sql; kubectl exec -i deployment/postgres -- psql -U twisterlab twisterlab < sqlite_export.sql (the export kept is a hashed copy of the SQLite file, the SQL text with --export-sql; undo: drop the created tables).")]
public sealed class ImportSqlite : DeployStep, IHasPreconditions, INeedDirectDatabase
{
    public IEnumerable<string> Problems(DeployContext context) => SqliteSource.Problems(context);

    public override IEnumerable<string> Plan(DeployContext context)
    {
        var sqlite = context.Settings.SqlitePath is { } path ? context.Shown(path) : "<--sqlite-path>";
        var copy = context.Shown(CopyPath(context));
        yield return $"cp {sqlite} {copy} && sha256sum {copy} > {copy}.sha256   # the export kept: the SQLite file itself, copied while the import runs";
        if (context.Settings.ExportSql)
        {
            yield return $"export {sqlite} to {context.Shown(SqlPath(context))}   # --export-sql, written while the import runs";
        }

        yield return $"import {sqlite} into {context.Settings.Profile.DatabaseName} (user {context.Settings.Profile.DatabaseUser})   # the guide's psql < sqlite_export.sql, done as binary COPY per table: all or nothing, per-table checksums compared";
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
            new SqliteMigrationOptions { CopyPath = CopyPath(context), SqlOutPath = context.Settings.ExportSql ? SqlPath(context) : null, Progress = context.Progress }, context.CancellationToken);
        foreach (var warning in report.Warnings)
        {
            context.Log.Warning("{0}", warning);
        }

        Timings = ImportTimings.Of(report);
        context.Log.Information("SQLite -> PostgreSQL: {0} tables, {1} rows, checksums equal; the file kept as {2} (sha256 {3}){4}.", report.Tables.Count, report.TotalRows,
            context.Shown(report.Copy!.Path), report.Copy.Sha256[..12], context.Settings.ExportSql ? $", SQL in {context.Shown(SqlPath(context))}" : string.Empty);
        context.Log.Information("Where the time went: {0}", Timings);
        context.Recorder.Fact("import", new System.Text.Json.Nodes.JsonObject
        {
            ["tables"] = new System.Text.Json.Nodes.JsonArray([.. report.Tables.Select(table => new System.Text.Json.Nodes.JsonObject { ["table"] = table.Table, ["rows"] = table.Rows, ["checksum"] = table.SourceChecksum })]),
            ["rows"] = report.TotalRows,
            ["durationSeconds"] = Math.Round(report.Duration.TotalSeconds, 3),
            ["phases"] = new System.Text.Json.Nodes.JsonArray([.. Timings.Phases.Select(phase => new System.Text.Json.Nodes.JsonObject { ["name"] = phase.Name, ["seconds"] = Math.Round(phase.Seconds, 3) })]),
            ["sqliteCopy"] = context.Shown(report.Copy.Path),
            ["sqliteCopySha256"] = report.Copy.Sha256,
            ["sqlExport"] = context.Settings.ExportSql ? context.Shown(SqlPath(context)) : null,
        });
    }

    /// <summary>Where the last import's time went (phases and per-table jobs), for the run report.</summary>
    public ImportTimings? Timings { get; private set; }

    private static string CopyPath(DeployContext context) => Path.Combine(context.Settings.BackupDir, $"sqlite_export_{context.RunId}.sqlite");

    private static string SqlPath(DeployContext context) => Path.Combine(context.Settings.BackupDir, $"sqlite_export_{context.RunId}.sql.gz");
}
