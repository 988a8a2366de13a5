using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Data;

namespace TwisterLab.Cake.Steps.Maintenance;

/// <summary>Runs the SQL migration with psql in the postgres pod, in one transaction. Undo: the step-2 backup restored.</summary>
[TaskDescription("Guide step 3: kubectl exec deployment/postgres -- psql -U twisterlab -d twisterlab < migrations/upgrade_v2.sql (undo: restore the step-2 backup).")]
[IsDependentOn(typeof(BackupDatabase))]
public sealed class ApplySchemaMigrations : DeployStep, IHasPreconditions
{
    public IEnumerable<string> Problems(DeployContext context) =>
        File.Exists(context.Settings.SchemaMigration) ? [] : [$"{context.Settings.SchemaMigration} is missing (pass --schema-migration=<file.sql>)"];

    public override IEnumerable<string> Plan(DeployContext context)
    {
        var file = context.Shown(context.Settings.SchemaMigration);
        yield return context.Cluster.Pods.DescribeExec(Psql(context) with { StdinFile = file });
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        context.Record(Name, RestoreDatabaseFromBackup.For(context, context.LastBackup!));
        var result = await context.Cluster.Pods.ExecAsync(Psql(context) with { StdinFile = context.Settings.SchemaMigration }, context.CancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"psql < {Path.GetFileName(context.Settings.SchemaMigration)} exited {result.ExitCode}: {result.Stderr.Trim()}");
        }

        context.Log.Information("Schema migration {0} applied.", Path.GetFileName(context.Settings.SchemaMigration));
    }

    // ON_ERROR_STOP and a single transaction: a failing statement leaves the schema as it was.
    private static ExecRequest Psql(DeployContext context) =>
        new(context.Settings.Profile.PostgresDeployment,
            ["psql", "-U", context.Settings.Profile.DatabaseUser, "-d", context.Settings.Profile.DatabaseName, "-v", "ON_ERROR_STOP=1", "--single-transaction", "-q"]);
}
