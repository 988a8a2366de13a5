using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Data;

namespace TwisterLab.Cake.Steps.PostgresUpgrade;

/// <summary>
/// The replication path's first copy: the old server's schema (tables, keys, indexes, sequences, no row) into the new
/// server's empty database, after the same major check as a restore. Undo: that database emptied.
/// </summary>
[TaskDescription("Beyond the guide (replication path): pg_dump --schema-only from the old server | psql into the new one (undo: that database emptied).")]
[IsDependentOn(typeof(BackupDatabase))]
public sealed class CopySchemaToNewPostgres : DeployStep, INeedDirectDatabase
{
    public override bool ShouldRun(DeployContext context) => CopyPath.MayReplicate(context);

    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return $"{CopyPath.IfReplication(context)}pg_dump --schema-only --no-owner --no-privileges <--database-url> | psql --single-transaction -v ON_ERROR_STOP=1 <--new-database-url>   # into deployment/{NewPostgres.Name(context)}";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var target = NewPostgres.Database(context);
        await RestoreIntoNewPostgres.CheckMajorsAsync(context, target);
        var owner = await RestoreIntoNewPostgres.EmptyDatabaseOwnerAsync(target, context.CancellationToken);
        context.Record(Name, new RecreateEmptyDatabase(context.SecretStash.Protect(target.ConnectionString), $"{target.Host}:{target.Port}", target.Database, owner));
        await LogicalReplication.CopySchemaAsync(context.Database, target, context.CancellationToken);
        context.Log.Information("Schema of {0} copied into {1} (no rows yet: the subscription copies them).", context.Database, target);
    }
}
