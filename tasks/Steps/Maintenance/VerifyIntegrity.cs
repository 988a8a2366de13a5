using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.Maintenance;

/// <summary>
/// The guide's verify_data_integrity: every table of the step-2 backup is still there with as many rows. A mismatch is
/// the decision matrix's "database corruption": stop, and the rollback restores the backup.
/// </summary>
[TaskDescription("Guide step 6: verify data integrity — every table of the pre-upgrade backup still there with its row count (mismatch: stop, restore backup).")]
public sealed class VerifyIntegrity : DeployStep, INeedDirectDatabase
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return "compare per-table row counts with the pre-upgrade backup's manifest (SELECT count(*) per table)";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var before = await BackupManifest.ReadAsync(context.LastBackup!, context.CancellationToken);
        var after = await IntegritySnapshotter.TakeAsync(context.Database, withChecksums: false, context.CancellationToken);
        var problems = before.TableRows
            .Select(table => (table.Key, expected: table.Value, found: after.Tables.FirstOrDefault(now => now.Table == table.Key)?.Rows))
            .Where(table => table.found != table.expected)
            .Select(table => $"{table.Key}: {table.expected} rows before, {table.found?.ToString() ?? "table missing"} now")
            .ToList();
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"Database corruption (decision matrix: stop, restore backup): {string.Join("; ", problems)}");
        }

        context.Log.Information("Integrity: {0} tables, row counts as before.", before.TableRows.Count);
    }
}
