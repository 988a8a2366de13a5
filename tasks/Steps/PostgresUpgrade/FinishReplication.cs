using System.Diagnostics;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.PostgresUpgrade;

/// <summary>
/// Writes frozen: the new server receives the old one's last WAL (final catch-up), then gets the sequences' values
/// (replication copies rows, not sequences: the next id would collide), then the subscription, publication and slot are
/// dropped so the two servers are independent again. Its undo is StartReplication's (the drops are idempotent).
/// </summary>
[TaskDescription("Beyond the guide (replication path): writes frozen, final catch-up to the old server's last WAL, sequences copied (setval from the old values), subscription and publication dropped.")]
public sealed class FinishReplication : DeployStep, INeedDirectDatabase
{
    /// <summary>The last writes reach the new server within a second or two; longer means the subscription is stuck.</summary>
    private static readonly TimeSpan FinalCatchUpLimit = TimeSpan.FromSeconds(30);

    public override bool ShouldRun(DeployContext context) => CopyPath.MayReplicate(context);

    public override IEnumerable<string> Plan(DeployContext context)
    {
        var condition = CopyPath.IfReplication(context);
        yield return $"{condition}SELECT pg_current_wal_lsn()   # on the old server, then wait until the slot's confirmed_flush_lsn reaches it (at most {FinalCatchUpLimit.TotalSeconds:0} s)";
        yield return $"{condition}SELECT setval(<sequence>, <last_value on the old server>) for each sequence   # on the new server";
        yield return $"{condition}DROP SUBSCRIPTION {LogicalReplication.Name}   # on the new server; DROP PUBLICATION {LogicalReplication.Name} on the old";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var old = context.Database;
        var @new = NewPostgres.Database(context);
        var clock = Stopwatch.StartNew();
        var last = await LogicalReplication.CurrentLsnAsync(old, context.CancellationToken);
        long behind;
        while ((behind = await LogicalReplication.LagBytesAsync(old, context.CancellationToken, upTo: last)) != 0)
        {
            if (behind < 0)
            {
                throw new InvalidOperationException($"The replication slot {LogicalReplication.Name} is gone from the old server before the final catch-up.");
            }

            if (clock.Elapsed > FinalCatchUpLimit)
            {
                throw new TimeoutException($"The new server did not receive the old server's last {behind:N0} bytes of WAL within {FinalCatchUpLimit.TotalSeconds:0} s: check the new server's log.");
            }

            await Task.Delay(50, context.CancellationToken);
        }

        var caughtUp = clock.Elapsed;
        var sequences = await LogicalReplication.CopySequencesAsync(old, @new, context.CancellationToken);
        await LogicalReplication.DropAsync(old, @new, context.CancellationToken);
        context.Log.Information("Final catch-up to {0} in {1:0.00} s; {2} sequences copied; replication dropped.", last, caughtUp.TotalSeconds, sequences);
    }
}
