using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Data;

namespace TwisterLab.Cake.Steps.PostgresUpgrade;

/// <summary>
/// A publication of every table on the old server, a subscription on the new one: the rows are copied while the API
/// keeps writing, and every later write follows. Undo: subscription, publication and slot dropped.
/// </summary>
[TaskDescription("Beyond the guide (replication path): CREATE PUBLICATION on the old server, CREATE SUBSCRIPTION on the new one — the initial copy runs while the API writes (undo: subscription, publication and slot dropped).")]
public sealed class StartReplication : DeployStep, INeedDirectDatabase
{
    public override bool ShouldRun(DeployContext context) => CopyPath.MayReplicate(context);

    public override IEnumerable<string> Plan(DeployContext context)
    {
        var name = LogicalReplication.Name;
        yield return $"{CopyPath.IfReplication(context)}CREATE PUBLICATION {name} FOR ALL TABLES   # on deployment/{context.Settings.Profile.PostgresDeployment}";
        yield return $"{CopyPath.IfReplication(context)}CREATE SUBSCRIPTION {name} CONNECTION '<--replication-source-url, else --database-url>' PUBLICATION {name}   # on deployment/{NewPostgres.Name(context)}; the password goes over the connection, never on a command line";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var old = context.Database;
        var @new = NewPostgres.Database(context);
        var source = context.Settings.ReplicationSourceUrl is { } url ? PostgresTarget.Parse(url) : old;
        context.Record(Name, new DropUpgradeReplication(context.SecretStash.Protect(old.ConnectionString), context.SecretStash.Protect(@new.ConnectionString), old.ToString(), @new.ToString()));
        await LogicalReplication.CreatePublicationAsync(old, context.CancellationToken);
        await LogicalReplication.CreateSubscriptionAsync(@new, source, context.CancellationToken);
        context.Log.Information("Replicating {0} -> {1} (subscription {2}, from {3}).", old, @new, LogicalReplication.Name, source);
    }
}
