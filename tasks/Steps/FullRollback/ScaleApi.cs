using TwisterLab.Cake.Context;

namespace TwisterLab.Cake.Steps.FullRollback;

/// <summary>Scales the API deployment, recording the replica count it had first.</summary>
public abstract class ScaleApi : DeployStep
{
    protected abstract int Replicas(DeployContext context);

    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return context.Cluster.Deployments.DescribeScale(context.Deployment, Replicas(context));
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var current = await ScaleRecordedAsync(context, context.Deployment, Replicas(context));
        context.Log.Information("{0}: {1} -> {2} replicas", context.Deployment, current, Replicas(context));
    }
}

[Hosting.TaskDescription("Guide: kubectl scale deployment/twisterlab-api --replicas=0 (undo: the replicas it had).")]
public sealed class ScaleDownApi : ScaleApi
{
    protected override int Replicas(DeployContext context) => 0;
}

[Hosting.TaskDescription("Guide: kubectl scale deployment/twisterlab-api --replicas=3 (the profile's replicas).")]
public sealed class ScaleUpApi : ScaleApi
{
    protected override int Replicas(DeployContext context) => context.Settings.Profile.Replicas;
}
