using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Data;

namespace TwisterLab.Cake.Steps.RollingUpgrade;

/// <summary>
/// Runs the schema migration in the API pod and checks that the revision moved. What can undo it is recorded first:
/// the downgrade when --migrations-reversible; nothing when the run already restores the whole database on failure
/// (a refreshed staging copy); otherwise a mark that makes a later failure hold instead of undoing.
/// </summary>
[TaskDescription("Guide: kubectl exec deployment/twisterlab-api -n twisterlab -- alembic upgrade head (revision checked before and after).")]
[IsDependentOn(typeof(BackupDatabase))]
public sealed class ApplyMigrations : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return Exec(context, Words(context.Settings.MigrationCommand));
        yield return $"{Exec(context, ["alembic", "current"])}   # the revision must have moved";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var before = await CurrentRevisionAsync(context);
        context.Record(Name, Undo(context, before));

        var result = await context.Cluster.Pods.ExecAsync(new Cluster.ExecRequest(context.Deployment, Words(context.Settings.MigrationCommand)), context.CancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{context.Settings.MigrationCommand}' exited {result.ExitCode} in {result.Pod}: {LastLine(result.Stderr)}");
        }

        var after = await CurrentRevisionAsync(context);
        context.Log.Information("Schema revision: {0} -> {1}", before ?? "(none)", after ?? "(none)");
        context.Recorder.Fact("schemaRevision", new System.Text.Json.Nodes.JsonObject { ["before"] = before, ["after"] = after });
    }

    private static Compensation Undo(DeployContext context, string? before) => context switch
    {
        { Settings.MigrationsReversible: true } => new DowngradeMigration(context.Deployment, context.Settings.Namespace, Words(context.Settings.DowngradeCommand.Replace("{revision}", before ?? "base"))),
        { RestorePoint: { } backup } => new MigrationUndoneByRestore(context.Settings.MigrationCommand, backup),
        _ => new IrreversibleMigration(before, context.Settings.MigrationCommand, context.LastBackup),
    };

    /// <summary>The revision as <c>alembic current</c> prints it ("0002_x (head)" → "0002_x").</summary>
    public static async Task<string?> CurrentRevisionAsync(DeployContext context)
    {
        var result = await context.Cluster.Pods.ExecAsync(new Cluster.ExecRequest(context.Deployment, ["alembic", "current"]), context.CancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"'alembic current' exited {result.ExitCode}: {LastLine(result.Stderr)}");
        }

        var revision = result.Stdout.Trim().Split(' ', 2)[0];
        return revision.Length == 0 ? null : revision;
    }

    private static string Exec(DeployContext context, IReadOnlyList<string> command) =>
        context.Cluster.Pods.DescribeExec(new Cluster.ExecRequest(context.Deployment, command));

    private static string[] Words(string command) => command.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static string LastLine(string text) => text.Trim().Split('\n')[^1];
}
