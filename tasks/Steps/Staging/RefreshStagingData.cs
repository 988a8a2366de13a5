using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Data;

namespace TwisterLab.Cake.Steps.Staging;

/// <summary>
/// Replaces the staging database with a copy of production whose personal columns are anonymized before the copy
/// commits. Staging is backed up first; the undo restores that backup exactly (tables the copy brought are dropped).
/// </summary>
[TaskDescription("Guide 'Testing Upgrades' step 1: kubectl exec deployment/postgres -n twisterlab -- pg_dump | kubectl exec -i deployment/postgres -n twisterlab-staging -- psql, anonymized in the same transaction (undo: staging restored from its backup).")]
public sealed class RefreshStagingData : DeployStep, IHasPreconditions, IHasLivePreconditions
{
    public IEnumerable<string> Problems(DeployContext context)
    {
        var settings = context.Settings;
        if (settings.Profile.RequiresConfirmation)
        {
            yield return $"the '{settings.Environment}' profile is production's (it asks for --confirm), and this step overwrites its database: run it with --environment=staging";
        }

        if (settings.SourceDatabaseUrl is null)
        {
            yield return "add --source-database-url=postgresql://user:pass@host:port/twisterlab for production's database (e.g. kubectl port-forward -n twisterlab svc/postgres 5433:5432)";
        }

        // Its own line, not INeedDirectDatabase's: this one says which database (staging's) and how to reach it.
        if (settings.DatabaseUrl is null)
        {
            yield return "add --database-url=postgresql://user:pass@host:port/twisterlab for staging's database (e.g. kubectl port-forward -n twisterlab-staging svc/postgres 5434:5432)";
        }
        else if (settings.SourceDatabaseUrl is { } source && SameDatabase(PostgresTarget.Parse(source), context.Database))
        {
            yield return "--source-database-url and --database-url name the same database: the refresh would overwrite production with itself";
        }

        if (settings.Anonymize.Count == 0)
        {
            yield return $"name the personal columns to anonymize with --anonymize={AnonymizationRule.Syntax}, e.g. users.email:email (or in environments/{settings.Environment}.json): production data never reaches staging as it is";
        }
    }

    public IEnumerable<string> DescribeChecks(DeployContext context)
    {
        yield return "SELECT inet_server_addr(), inet_server_port(), current_database()   # on both: the source is not the target";
        yield return $"psql <--source-database-url> -c '\\d ...'   # the columns to anonymize exist: {string.Join(", ", context.Settings.Anonymize)}";
    }

    public async Task<IReadOnlyList<string>> ProblemsAsync(DeployContext context)
    {
        if (await AnonymizedRefresh.SameDatabaseAsync(Source(context), context.Database, context.CancellationToken))
        {
            return ["--source-database-url and --database-url reach the same database (the server says so): the refresh would overwrite production with itself"];
        }

        return await AnonymizedRefresh.ProblemsAsync(Source(context), context.Settings.Anonymize, context.CancellationToken);
    }

    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return $"pg_dump -Fc -Z1 <--database-url> > {context.Shown(BackupPath(context))}   # staging as it was, for the undo";
        yield return "pg_dump --clean --if-exists --no-owner --no-privileges <--source-database-url> | psql --single-transaction <--database-url>";
        foreach (var rule in context.Settings.Anonymize)
        {
            yield return $"  ...and in the same transaction: {rule.UpdateSql("<random salt>")}";
        }

        yield return "row counts equal the source's snapshot; no anonymized value left in its original form";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var staging = context.Database;
        PrivateFiles.CreateFolder(context.Settings.BackupDir);
        var gateway = new PostgresBackupGateway();
        var before = await gateway.BackupAsync(staging, new BackupOptions(BackupPath(context)), context.CancellationToken);
        await gateway.VerifyAsync(before.Path, cancellationToken: context.CancellationToken);
        context.Record(Name, new RestoreDatabaseFromBackup(before.Path, staging.Database, Exactly: true, ServerProtected: context.SecretStash.Protect(staging.ConnectionString)));
        context.RestorePoint = before.Path;

        var refresh = await AnonymizedRefresh.RefreshAsync(Source(context), staging, context.Settings.Anonymize, context.CancellationToken);
        context.Log.Information("Staging refreshed from production: {0} tables, {1:N0} rows, {2:N0} bytes of SQL; anonymized {3}.",
            refresh.Rows.Count, refresh.Rows.Values.Sum(), refresh.DumpBytes, string.Join(", ", refresh.Anonymized));
    }

    private static PostgresTarget Source(DeployContext context) => PostgresTarget.Parse(context.Settings.SourceDatabaseUrl!);

    private static bool SameDatabase(PostgresTarget one, PostgresTarget other) =>
        string.Equals(one.Host, other.Host, StringComparison.OrdinalIgnoreCase) && one.Port == other.Port && one.Database == other.Database;

    private static string BackupPath(DeployContext context) =>
        Path.Combine(context.Settings.BackupDir, $"staging_before_refresh_{context.RunId}.dump");
}
