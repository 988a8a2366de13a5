using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.ClusterUpgrade;

/// <summary>Every manifest of the project, applied with a server-side dry run against the upgraded cluster: an API it removed fails here.</summary>
[TaskDescription("Guide step 7: kubectl apply -f k8s/ --dry-run=server — every manifest still accepted by the upgraded cluster (deprecated APIs).")]
public sealed class CheckDeprecatedApis : DeployStep, IHasPreconditions
{
    public IEnumerable<string> Problems(DeployContext context) =>
        Directory.Exists(context.Settings.ManifestsDir) ? [] : [$"the manifests folder {context.Settings.ManifestsDir} is missing (pass --manifests=<folder>)"];

    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return context.Cluster.Manifests.DescribeApply(context.Shown(context.Settings.ManifestsDir) + "/", dryRun: true);
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var rejected = new List<string>();
        var files = Directory.GetFiles(context.Settings.ManifestsDir, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        foreach (var file in files)
        {
            try
            {
                await context.Cluster.Manifests.ApplyAsync(file, dryRun: true, context.CancellationToken);
            }
            catch (Exception exception) when (exception is Cluster.ClusterException or InvalidOperationException)
            {
                rejected.Add($"{Path.GetRelativePath(context.Settings.ManifestsDir, file)}: {exception.Message}");
            }
        }

        if (rejected.Count > 0)
        {
            throw new InvalidOperationException($"The upgraded cluster refuses {rejected.Count} manifest(s): {string.Join("; ", rejected)}");
        }

        context.Log.Information("All {0} manifests accepted by a server-side dry run.", files.Count);
    }
}
