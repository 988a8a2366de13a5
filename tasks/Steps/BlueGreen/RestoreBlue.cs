using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Cluster;

namespace TwisterLab.Cake.Steps.BlueGreen;

[TaskDescription("Guide rollback: kubectl scale deployment/<blue> --replicas=3, then wait until blue's pods are Ready.")]
public sealed class RestoreBlue(SchemaGate gate) : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return gate.Describe(context, context.RetiredDeployment, "<blue's image>");
        yield return context.Cluster.Deployments.DescribeScale(context.RetiredDeployment, context.Settings.Profile.Replicas);
        yield return context.Cluster.Pods.DescribeWaitReady($"app={context.App},{BlueGreen.VersionLabel}=<blue's version>", context.Settings.RolloutTimeout);
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var deployments = context.Cluster.Deployments;
        // Blue's image comes back only when it knows the schema green may have moved on.
        var retired = await deployments.GetAsync(context.RetiredDeployment, context.CancellationToken);
        if (retired.Spec.Template.Spec.Containers.FirstOrDefault(container => container.Name == context.Container)?.Image is { } blueImage)
        {
            await gate.CheckBeforePuttingBackAsync(context, context.RetiredDeployment, blueImage);
        }

        await ScaleRecordedAsync(context, context.RetiredDeployment, context.Settings.Profile.Replicas);
        // Blue's pods themselves must be Ready: the switch back refuses a selector without Ready endpoints.
        var blue = await deployments.GetAsync(context.RetiredDeployment, context.CancellationToken);
        var pods = string.Join(",", blue.Spec.Template.Metadata.Labels.Select(label => $"{label.Key}={label.Value}"));
        await context.Cluster.Pods.WaitReadyAsync(pods, context.Settings.RolloutTimeout, context.CancellationToken);
    }
}

[TaskDescription("Guide rollback: kubectl patch svc twisterlab-api -p '{\"spec\":{\"selector\":{\"version\":\"<blue>\"}}}' — traffic back to blue.")]
public sealed class SwitchToBlue : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return context.Cluster.Services.DescribePatchSelector(context.Settings.Profile.Service, new Dictionary<string, string> { [BlueGreen.VersionLabel] = "<blue's version label>" });
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var blue = await context.Cluster.Deployments.GetAsync(context.RetiredDeployment, context.CancellationToken);
        var version = blue.Spec.Template.Metadata.Labels[BlueGreen.VersionLabel];
        var services = context.Cluster.Services;
        var service = context.Settings.Profile.Service;
        context.Record(Name, new RestoreServiceSelector(service, context.Settings.Namespace, await services.GetSelectorAsync(service, context.CancellationToken)));
        await services.PatchSelectorAsync(service, new Dictionary<string, string> { [BlueGreen.VersionLabel] = version }, context.CancellationToken);
        context.Log.Information("Service {0} back on blue (version={1}).", service, version);
    }
}
