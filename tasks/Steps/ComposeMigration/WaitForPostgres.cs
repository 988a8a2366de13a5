using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.ComposeMigration;

/// <summary>The new PostgreSQL pod must be Ready before the restore; a pod that cannot start fails at once, with its reason.</summary>
[TaskDescription("Guide step 4: kubectl wait --for=condition=ready pod -l app=postgres --timeout=5m.")]
public sealed class WaitForPostgres : DeployStep
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return context.Cluster.Pods.DescribeWaitReady(Selector(context), Timeout);
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var pods = await context.Cluster.Pods.WaitReadyAsync(Selector(context), Timeout, context.CancellationToken);
        context.Log.Information("PostgreSQL ready: {0}.", string.Join(", ", pods));
    }

    private static string Selector(DeployContext context) => $"app={context.Settings.Profile.PostgresDeployment}";
}
