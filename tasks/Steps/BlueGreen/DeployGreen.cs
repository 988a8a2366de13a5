using k8s;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Cluster;

namespace TwisterLab.Cake.Steps.BlueGreen;

/// <summary>
/// Derives green from the live deployment (same spec, new image, label version=&lt;tag&gt;), writes it as a manifest
/// in the run folder and applies it beside blue. Undo: delete what the manifest created.
/// </summary>
[TaskDescription("Guide step 1: kubectl apply -f twisterlab-api-v2.yaml — a green deployment derived from the live one, label version=<tag>.")]
public sealed class DeployGreen : DeployStep, INeedImageTag
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        var manifest = context.Shown(BlueGreen.GreenManifest(context));
        yield return $"{context.Cluster.Manifests.DescribeApply(manifest)}   # {BlueGreen.GreenName(context)}: {context.NewImage}, label version={BlueGreen.GreenVersion(context)}";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var blue = await context.Cluster.Deployments.GetAsync(context.Deployment, context.CancellationToken);
        var version = BlueGreen.GreenVersion(context);
        var green = blue;
        green.Metadata = new() { Name = BlueGreen.GreenName(context), NamespaceProperty = context.Settings.Namespace, Labels = With(blue.Metadata.Labels, version) };
        green.Status = null;
        green.ApiVersion = "apps/v1";
        green.Kind = "Deployment";
        green.Spec.Selector.MatchLabels = With(blue.Spec.Selector.MatchLabels, version);
        green.Spec.Template.Metadata.Labels = With(blue.Spec.Template.Metadata.Labels, version);
        green.Spec.Template.Spec.Containers.Single(container => container.Name == context.Container).Image = context.NewImage;

        var path = BlueGreen.GreenManifest(context);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllTextAsync(path, KubernetesYaml.Serialize(green), context.CancellationToken);
        context.Record(Name, DeleteManifestObjects.Of(path, context.Settings.Namespace));
        await context.Cluster.Manifests.ApplyAsync(path, dryRun: false, context.CancellationToken);
        context.Log.Information("Green {0} ({1}) applied from {2}.", green.Metadata.Name, context.NewImage, path);
    }

    private static Dictionary<string, string> With(IDictionary<string, string>? labels, string version) =>
        new(labels ?? new Dictionary<string, string>()) { [BlueGreen.VersionLabel] = version };
}
