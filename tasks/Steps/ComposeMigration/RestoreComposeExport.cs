using Npgsql;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Data;
using TwisterLab.Cake.Tools;

namespace TwisterLab.Cake.Steps.ComposeMigration;

/// <summary>
/// psql runs the export into the cluster's database (--database-url, e.g. through kubectl port-forward svc/postgres),
/// stopping at the first error, in one transaction: all of it or nothing. Only into a database without tables, so the
/// undo (that database dropped and created again empty) can never drop data that was there before.
/// </summary>
[TaskDescription("Guide step 4: kubectl exec -i deployment/postgres -- psql -U twisterlab twisterlab < compose_export.sql (ON_ERROR_STOP, one transaction; undo: that database emptied).")]
[IsDependentOn(typeof(ExportComposeDatabase))]
public sealed class RestoreComposeExport : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        var settings = Settings(context, context.Shown(ComposeHost.ExportPath(context)));
        yield return $"psql {PsqlRunner.BuildArguments(settings).RenderSafe()}   # into deployment/{context.Settings.Profile.PostgresDeployment} through --database-url; it must have no tables yet";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var target = context.Database;
        var owner = await EmptyDatabaseOwnerAsync(target, context.CancellationToken);
        context.Record(Name, new RecreateEmptyDatabase(context.SecretStash.Protect(target.ConnectionString), $"{target.Host}:{target.Port}", target.Database, owner));
        var settings = Settings(context, ComposeHost.ExportPath(context));
        settings.ConnectTo(target);
        PgToolRun.Psql(settings);
        context.Log.Information("Restored {0} into {1}.", ComposeHost.ExportPath(context), target);
    }

    private static PsqlSettings Settings(DeployContext context, string file) => new()
    {
        File = file,
        StopOnError = true,
        SingleTransaction = true,
        Username = context.Settings.Profile.DatabaseUser,
        Database = context.Settings.Profile.DatabaseName,
    };

    /// <summary>The owner of the target database, which must exist (the postgres image's POSTGRES_DB) and have no tables.</summary>
    private static async Task<string> EmptyDatabaseOwnerAsync(PostgresTarget target, CancellationToken cancellationToken)
    {
        await using var connection = await PostgresErrors.OpenAsync(target, cancellationToken);
        if ((await DatabaseCatalog.TablesAsync(connection, cancellationToken)).Count > 0)
        {
            throw new InvalidOperationException($"The cluster's database {target} already has tables: the export goes only into an empty database (an earlier run? empty it, or check --database-url).");
        }

        await using var command = new NpgsqlCommand("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()", connection);
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
