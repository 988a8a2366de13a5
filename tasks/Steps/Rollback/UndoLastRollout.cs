using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Cluster;

namespace TwisterLab.Cake.Steps.Rollback;

/// <summary>
/// The guide's quick rollback, when no --run is given: rollout undo to the previous revision, then its status. The
/// previous image must know the database's schema revision first (else hold: a downgrade or FullRollback is needed).
/// </summary>
[TaskDescription("Guide: kubectl rollout undo deployment/twisterlab-api, then kubectl rollout status (without --run).")]
public sealed class UndoLastRollout(SchemaGate gate) : DeployStep
{
    public override bool ShouldRun(DeployContext context) => context.Settings.RunId is null;

    public override IEnumerable<string> Plan(DeployContext context)
    {
        var deployments = context.Cluster.Deployments;
        yield return gate.Describe(context, context.Deployment, "<previous image>");
        yield return deployments.DescribeUndo(context.Deployment);
        yield return deployments.DescribeRolloutStatus(context.Deployment, context.Settings.RolloutTimeout);
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var deployments = context.Cluster.Deployments;
        if (await deployments.ImageToUndoToAsync(context.Deployment, context.Container, null, context.CancellationToken) is { } previous)
        {
            await gate.CheckBeforePuttingBackAsync(context, context.Deployment, previous);
        }

        var revision = await deployments.GetRevisionAsync(context.Deployment, context.CancellationToken);
        context.Record(Name, new UndoToRevision(context.Deployment, context.Settings.Namespace, revision));
        var undo = await deployments.UndoAsync(context.Deployment, null, context.CancellationToken);
        context.Log.Information("{0}: revision {1} -> {2}", context.Deployment, undo.FromRevision, undo.ToRevision);
        context.Log.Information(await deployments.WaitForRolloutAsync(context.Deployment,
            new RolloutWaitOptions(context.Settings.RolloutTimeout, Heartbeat: context.Progress, Progress: line => context.Log.Information("  {0}", line)), context.CancellationToken));
    }
}
