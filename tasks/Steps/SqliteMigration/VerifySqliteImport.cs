using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.SqliteMigration;

/// <summary>Read back from PostgreSQL after the import: every SQLite table there, with as many rows.</summary>
[TaskDescription("Verify the import: every SQLite table is in PostgreSQL with the same row count.")]
public sealed class VerifySqliteImport : DeployStep, IHasPreconditions, INeedDirectDatabase
{
    public IEnumerable<string> Problems(DeployContext context) => SqliteSource.Problems(context);

    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return "SELECT count(*) per table in SQLite and in PostgreSQL: equal";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var source = SqliteSource.TableRows(context);
        var target = (await IntegritySnapshotter.TakeAsync(context.Database, withChecksums: false, context.CancellationToken)).Tables
            .ToDictionary(table => table.Table.Split('.', 2)[1], table => table.Rows);
        var problems = source
            .Where(table => !target.TryGetValue(table.Key, out var rows) || rows != table.Value)
            .Select(table => $"{table.Key}: {table.Value} rows in SQLite, {(target.TryGetValue(table.Key, out var rows) ? rows.ToString() : "missing")} in PostgreSQL")
            .ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"SQLite import incomplete: {string.Join("; ", problems)}.");
        }

        context.Log.Information("Import verified: {0} tables, {1} rows.", source.Count, source.Values.Sum());
    }
}
