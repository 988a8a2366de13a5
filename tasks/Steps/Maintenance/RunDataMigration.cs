using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.Maintenance;

/// <summary>Runs the data migration in the new API pod. Its undo is the database restore ApplySchemaMigrations recorded.</summary>
[TaskDescription("Guide step 5: kubectl exec deployment/twisterlab-api -- python scripts/migrate_data_v2.py (--data-migration-command).")]
[IsDependentOn(typeof(ApplySchemaMigrations))]
public sealed class RunDataMigration : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return context.Cluster.Pods.DescribeExec(Request(context));
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var result = await context.Cluster.Pods.ExecAsync(Request(context), context.CancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{context.Settings.DataMigrationCommand}' exited {result.ExitCode}: {result.Stderr.Trim()}");
        }

        context.Log.Information("Data migration done: {0}", result.Stdout.Trim());
    }

    private static ExecRequest Request(DeployContext context) =>
        new(context.Deployment, context.Settings.DataMigrationCommand.Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
