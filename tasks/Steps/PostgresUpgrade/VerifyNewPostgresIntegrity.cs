using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.PostgresUpgrade;

/// <summary>
/// Inside the write freeze, only what is cheap at any size: both servers' content pinned as it is now (a REPEATABLE READ
/// snapshot each, <see cref="FreezePoint"/>), and the same tables and alembic revision on both. Row counts and content
/// checksums read every row, so they wait until writes resume (<see cref="VerifyContentAtFreeze"/>) and are read from
/// these snapshots: exactly what each server held at the freeze, whatever the API writes meanwhile. A difference found
/// here rolls back without loss: nothing has written to the new server yet, and the old one is still authoritative.
/// On the dump path, whose pause is the whole copy anyway, the row counts are also compared with the backup's here.
/// </summary>
[TaskDescription("Integrity at the freeze, cheap at any size: both servers' content pinned (a REPEATABLE READ snapshot each), the same tables and alembic revision on both (dump path: row counts as in the backup); row counts and content checksums follow once writes resume (VerifyContentAtFreeze).")]
public sealed class VerifyNewPostgresIntegrity : DeployStep, INeedDirectDatabase
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return $"{CopyPath.IfDump(context)}compare per-table row counts of deployment/{NewPostgres.Name(context)} with the backup's manifest";
        yield return $"BEGIN ISOLATION LEVEL REPEATABLE READ; <list tables, alembic revision>   # on deployment/{NewPostgres.Name(context)} and deployment/{context.Settings.Profile.PostgresDeployment}, kept open: their content at the freeze, for VerifyContentAtFreeze";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        // Nothing writes to either server now (the old is frozen, the API not yet switched): both snapshots are the freeze's.
        var pinning = FreezePoint.PinAsync(NewPostgres.Database(context), context.CancellationToken);
        var old = await FreezePoint.PinAsync(context.Database, context.CancellationToken);
        FreezePoint @new;
        try
        {
            @new = await pinning;
        }
        catch
        {
            await old.DisposeAsync();
            throw;
        }

        context.ContentAtFreeze = new FreezePoints(old, @new);
        var problems = old.Tables.Except(@new.Tables).Select(table => $"{table}: missing on the new server")
            .Concat(@new.Tables.Except(old.Tables).Select(table => $"{table}: only on the new server"))
            .ToList();
        if (@new.AlembicRevision != old.AlembicRevision)
        {
            problems.Add($"alembic revision {@new.AlembicRevision ?? "(none)"} on the new server, {old.AlembicRevision ?? "(none)"} on the old");
        }

        if (context.CopiesByReplication != true)
        {
            // The dump path's pause is the whole copy already; a restore short of rows is worth a count while undoing loses nothing.
            var backup = await BackupManifest.ReadAsync(context.LastBackup!, context.CancellationToken);
            var restored = await @new.RowCountsAsync(context.CancellationToken);
            problems.AddRange(backup.TableRows
                .Where(table => restored.GetValueOrDefault(table.Key, -1) != table.Value)
                .Select(table => $"{table.Key}: {table.Value} rows in the backup, {(restored.TryGetValue(table.Key, out var found) ? found.ToString() : "table missing")} in the new server"));
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"The new server is not the old one at the freeze: {string.Join("; ", problems)}.");
        }

        context.Log.Information("Both servers pinned at the freeze: {0} tables, alembic {1}; row counts and checksums are compared once writes resume.", old.Tables.Count, old.AlembicRevision ?? "(none)");
    }
}
