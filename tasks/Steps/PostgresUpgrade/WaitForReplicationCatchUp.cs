using System.Diagnostics;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.PostgresUpgrade;

/// <summary>
/// Waits, the API still writing, until every table's initial copy is done and the new server is within
/// <see cref="LogicalReplication.CaughtUpBytes"/> of the old one's WAL: the freeze that follows then only waits for the
/// last few writes. Gives up after --rollout-timeout. Changes nothing.
/// </summary>
[TaskDescription("Beyond the guide (replication path): wait until the initial copy is done and the replication lag is about zero, the API still writing (at most --rollout-timeout).")]
public sealed class WaitForReplicationCatchUp : DeployStep, INeedDirectDatabase
{
    public override bool ShouldRun(DeployContext context) => CopyPath.MayReplicate(context);

    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return $"{CopyPath.IfReplication(context)}SELECT srsubstate FROM pg_subscription_rel   # every table 'r' (ready) on the new server; and on the old: pg_current_wal_lsn() - confirmed_flush_lsn FROM pg_replication_slots <= 1 MB, within {Durations.Format(context.Settings.RolloutTimeout)}";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        while (true)
        {
            var (copying, lag) = await LogicalReplication.ProgressAsync(context.Database, NewPostgres.Database(context), context.CancellationToken);
            if (lag < 0)
            {
                throw new InvalidOperationException($"The replication slot {LogicalReplication.Name} is gone from the old server: the copy cannot finish.");
            }

            if (copying == 0 && lag <= LogicalReplication.CaughtUpBytes)
            {
                context.Log.Information("New server caught up in {0:0.0} s: initial copy done, {1:N0} bytes of WAL behind.", clock.Elapsed.TotalSeconds, lag);
                return;
            }

            if (clock.Elapsed > context.Settings.RolloutTimeout)
            {
                throw new TimeoutException($"The new server did not catch up within {context.Settings.RolloutTimeout} ({copying} tables still copying, {lag:N0} bytes behind): raise --rollout-timeout, or check the new server's log.");
            }

            if (clock.Elapsed - lastReport > TimeSpan.FromSeconds(5))
            {
                lastReport = clock.Elapsed;
                context.Log.Information("Replicating: {0} tables still copying, {1:N0} bytes behind.", copying, lag);
            }

            await Task.Delay(200, context.CancellationToken);
        }
    }
}
