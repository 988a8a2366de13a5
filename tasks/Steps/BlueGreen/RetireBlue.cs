using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.BlueGreen;

/// <summary>
/// Scales blue to zero, after --scale-down-delay: meanwhile blue stays warm, so a rollback is only a selector change
/// (Argo Rollouts' scaleDownDelaySeconds). Undo: blue's replicas back.
/// </summary>
[TaskDescription("Guide step 5: kubectl scale deployment/<blue> --replicas=0, after --scale-down-delay (blue stays warm meanwhile).")]
public sealed class RetireBlue : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return $"wait {Durations.Format(context.Settings.ScaleDownDelay)} (blue stays warm for an instant rollback)";
        yield return context.Cluster.Deployments.DescribeScale(context.Deployment, 0);
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        await Task.Delay(context.Settings.ScaleDownDelay, context.CancellationToken);
        var replicas = await ScaleRecordedAsync(context, context.Deployment, 0);
        context.Log.Information("Blue {0} scaled from {1} to 0.", context.Deployment, replicas);
    }
}
