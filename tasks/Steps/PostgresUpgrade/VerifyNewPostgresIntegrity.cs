using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.PostgresUpgrade;

/// <summary>
/// The new server holds what the backup held: every table with its row count, and the alembic revision. Its content
/// checksums must also equal the old server's now: if they differ, the API wrote to the old server after the
/// backup, and switching DATABASE_URL would lose those writes. On the replication path the API wrote after the backup
/// by design (the subscription carried those writes): there only the old server, frozen, is the reference.
/// </summary>
[TaskDescription("Integrity before the switch: the new server's tables, row counts and alembic revision equal the backup's, and its content equals the old server's (no write lost).")]
public sealed class VerifyNewPostgresIntegrity : DeployStep, INeedDirectDatabase
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return $"{CopyPath.IfDump(context)}compare per-table row counts and alembic revision of deployment/{NewPostgres.Name(context)} with the backup's manifest";
        yield return $"compare per-table content checksums of deployment/{NewPostgres.Name(context)} with deployment/{context.Settings.Profile.PostgresDeployment}";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        // Both servers read at once: on the replication path this runs inside the write pause.
        var newSnapshot = IntegritySnapshotter.TakeAsync(NewPostgres.Database(context), withChecksums: true, context.CancellationToken);
        var oldSnapshot = IntegritySnapshotter.TakeAsync(context.Database, withChecksums: true, context.CancellationToken);
        var restored = await newSnapshot;
        var old = await oldSnapshot;
        if (context.CopiesByReplication == true)
        {
            CompareWithOld(restored, old);
            context.Log.Information("Integrity: {0} tables with the same rows and content checksums on both servers (alembic {1}).", restored.Tables.Count, restored.AlembicRevision ?? "(none)");
            return;
        }

        var backup = await BackupManifest.ReadAsync(context.LastBackup!, context.CancellationToken);
        var problems = backup.TableRows
            .Select(table => (table.Key, expected: table.Value, found: restored.Tables.FirstOrDefault(now => now.Table == table.Key)?.Rows))
            .Where(table => table.found != table.expected)
            .Select(table => $"{table.Key}: {table.expected} rows in the backup, {table.found?.ToString() ?? "table missing"} in the new server")
            .ToList();
        if (restored.AlembicRevision != backup.AlembicRevision)
        {
            problems.Add($"alembic revision {restored.AlembicRevision ?? "(none)"} in the new server, {backup.AlembicRevision ?? "(none)"} in the backup");
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"The restore is not the backup: {string.Join("; ", problems)}.");
        }

        CompareWithOld(restored, old);
        context.Log.Information("Integrity: {0} tables as in the backup (alembic {1}), content equal to the old server.", restored.Tables.Count, restored.AlembicRevision ?? "(none)");
    }

    private static void CompareWithOld(IntegritySnapshot @new, IntegritySnapshot old)
    {
        if (@new.CompareTo(old) is { Count: > 0 } changed)
        {
            throw new InvalidOperationException(
                $"The new server differs from the old one ({string.Join("; ", changed.Select(difference => $"{difference.Table}: {difference.Problem}"))}): " +
                "switching now would lose those writes. Was something writing with a session that ignores the freeze? Run again.");
        }

        if (@new.AlembicRevision != old.AlembicRevision)
        {
            throw new InvalidOperationException($"alembic revision {@new.AlembicRevision ?? "(none)"} on the new server, {old.AlembicRevision ?? "(none)"} on the old.");
        }
    }
}
