using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Data;

namespace TwisterLab.Cake.Steps.PostgresUpgrade;

/// <summary>
/// Writes refused on the old server, the API left running (reads keep working): the database's sessions become
/// read-only and the open ones are ended, so a write either committed before (and is copied) or fails (and was never
/// acknowledged). Undo: the freeze lifted. <see cref="ResumeWrites"/> lifts it once the API runs on the new server.
/// </summary>
public abstract class FreezeWrites : DeployStep, INeedDirectDatabase
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        var database = context.Settings.Profile.DatabaseName;
        yield return $"{Condition(context)}ALTER DATABASE {database} SET default_transaction_read_only = on; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}' AND backend_type = 'client backend'   # on deployment/{context.Settings.Profile.PostgresDeployment}: writes refused until the switch";
    }

    protected abstract string Condition(DeployContext context);

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var database = context.Database;
        context.Record(Name, new LiftWriteFreeze(context.SecretStash.Protect(database.ConnectionString), $"{database.Host}:{database.Port}", database.Database));
        context.WritesFrozenAt = DateTimeOffset.UtcNow;
        var ended = await WriteFreeze.FreezeAsync(database, context.CancellationToken);
        context.Log.Information("Writes to {0} refused from now ({1} open sessions ended; reads go on).", database, ended);
    }
}

/// <summary>The dump/restore path: writes refused before the backup, for the whole copy, so no write can be lost.</summary>
[TaskDescription("Beyond the guide (dump path): writes refused on the old server (default_transaction_read_only, open sessions ended) before the backup, for the whole copy: no write made after the dump is lost.")]
public sealed class FreezeWritesForCopy : FreezeWrites
{
    public override bool ShouldRun(DeployContext context) => CopyPath.MayDump(context);

    protected override string Condition(DeployContext context) => CopyPath.IfDump(context);
}

/// <summary>The replication path: writes refused only once the new server has caught up, for the final catch-up and the switch.</summary>
[TaskDescription("Beyond the guide (replication path): once the new server has caught up, writes refused on the old one (default_transaction_read_only, open sessions ended) for the final catch-up and the switch.")]
public sealed class FreezeWritesForSwitch : FreezeWrites
{
    public override bool ShouldRun(DeployContext context) => CopyPath.MayReplicate(context);

    protected override string Condition(DeployContext context) => CopyPath.IfReplication(context);
}
