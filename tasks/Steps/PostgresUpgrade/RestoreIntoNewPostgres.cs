using Npgsql;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Data;

namespace TwisterLab.Cake.Steps.PostgresUpgrade;

/// <summary>
/// Restores the step-1 backup into the new server, after reading both servers' versions: a new server of a lower major
/// is refused, one of the same major only warned about (a rehearsal on one machine has one PostgreSQL major).
/// Undo: the new server's database empty again.
/// </summary>
[TaskDescription("Guide step 3: kubectl exec deployment/postgres-16 -- pg_restore -U twisterlab -d twisterlab < backup_pg13_full.dump (undo: that database emptied).")]
[IsDependentOn(typeof(BackupDatabase))]
public sealed class RestoreIntoNewPostgres : DeployStep, INeedDirectDatabase
{
    public override bool ShouldRun(DeployContext context) => CopyPath.MayDump(context);

    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return $"{CopyPath.IfDump(context)}SHOW server_version_num   # on the old (--database-url) and the new (--new-database-url) server: the new major must not be lower";
        yield return $"{CopyPath.IfDump(context)}pg_restore --single-transaction -d <--new-database-url> {context.Shown(context.Postgres.BackupPath($"backup_pre_upgrade_{context.RunId}"))}   # into deployment/{NewPostgres.Name(context)}";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var target = NewPostgres.Database(context);
        await CheckMajorsAsync(context, target);
        var owner = await EmptyDatabaseOwnerAsync(target, context.CancellationToken);
        context.Record(Name, new RecreateEmptyDatabase(context.SecretStash.Protect(target.ConnectionString), $"{target.Host}:{target.Port}", target.Database, owner));
        var restored = await new PostgresRestoreGateway().RestoreAsync(target, context.LastBackup!, cancellationToken: context.CancellationToken);
        context.Log.Information("Restored {0} into {1}: {2} tables.", Path.GetFileName(context.LastBackup!), target, restored.After.Tables.Count);
    }

    internal static async Task CheckMajorsAsync(DeployContext context, PostgresTarget target)
    {
        var old = await MajorAsync(context.Database, context.CancellationToken);
        var @new = await MajorAsync(target, context.CancellationToken);
        if (@new < old)
        {
            throw new InvalidOperationException($"The new server runs PostgreSQL {@new}, older than the old server's {old}: pg_dump archives only restore into the same or a newer major. Check --new-database-url.");
        }

        if (@new == old)
        {
            context.Log.Warning("Old and new server both run PostgreSQL {0}: no major upgrade happens (fine for a rehearsal; in production, check the image of deployment/{1}).", old, NewPostgres.Name(context));
        }
        else
        {
            context.Log.Information("PostgreSQL {0} -> {1}.", old, @new);
        }
    }

    private static async Task<int> MajorAsync(PostgresTarget target, CancellationToken cancellationToken)
    {
        await using var connection = await PostgresErrors.OpenAsync(target.Maintenance, cancellationToken);
        return await DatabaseCatalog.ServerVersionNumberAsync(connection, cancellationToken) / 10000;
    }

    /// <summary>The owner of the target database when it exists and has no tables; null when it does not exist. Tables: refused.</summary>
    internal static async Task<string?> EmptyDatabaseOwnerAsync(PostgresTarget target, CancellationToken cancellationToken)
    {
        await using (var maintenance = await PostgresErrors.OpenAsync(target.Maintenance, cancellationToken))
        {
            await using var command = new NpgsqlCommand("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = $1", maintenance) { Parameters = { new() { Value = target.Database } } };
            if (await command.ExecuteScalarAsync(cancellationToken) is not string owner)
            {
                return null;
            }

            await using var connection = await PostgresErrors.OpenAsync(target, cancellationToken);
            if ((await DatabaseCatalog.TablesAsync(connection, cancellationToken)).Count > 0)
            {
                throw new InvalidOperationException($"The new server's database {target.Database} already has tables (an earlier restore?): empty it or point --new-database-url at an empty one.");
            }

            return owner;
        }
    }
}
