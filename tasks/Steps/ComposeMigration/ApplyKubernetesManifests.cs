using k8s;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Cluster;

namespace TwisterLab.Cake.Steps.ComposeMigration;

/// <summary>
/// Applies k8s/base, then k8s/deployments, into a namespace without the application. Each object the apply creates
/// gets its undo (deleted) before the apply; objects already there (the namespace) are left to the apply, so a rollback
/// never deletes what was there before. The PostgreSQL major-upgrade target (deployments/&lt;--new-postgres&gt;.yaml) is
/// left out: a first install needs one server, and PostgresMajorUpgrade deploys that one beside it.
/// </summary>
[TaskDescription("Guide step 3: kubectl apply -f k8s/base/; kubectl apply -f k8s/deployments/ (undo: what this apply created deleted). Refused when the namespace already runs the API.")]
public sealed class ApplyKubernetesManifests : DeployStep, IHasPreconditions, IHasLivePreconditions, IInstallsApplication
{
    public IEnumerable<string> Problems(DeployContext context) =>
        new[] { "base", "deployments" }.Select(folder => Path.Combine(context.Settings.ManifestsDir, folder))
            .Where(folder => !Directory.Exists(folder))
            .Select(folder => $"the manifests folder {context.Shown(folder)} is missing (pass --manifests=<folder with base/ and deployments/>)");

    public IEnumerable<string> DescribeChecks(DeployContext context)
    {
        yield return context.Kubectl.ClusterScoped("get", $"namespace/{context.Settings.Namespace}").ToString() + "   # must exist (the run's lock lives in it)";
        yield return context.Kubectl.Namespaced("get", $"deployment/{context.Deployment}").ToString() + "   # must not exist yet";
    }

    public async Task<IReadOnlyList<string>> ProblemsAsync(DeployContext context)
    {
        var cluster = context.Cluster;
        var ns = context.Settings.Namespace;
        if (await cluster.Api.FindAsync($"get namespace/{ns}", token => cluster.Client.CoreV1.ReadNamespaceAsync(ns, cancellationToken: token), context.CancellationToken) is null)
        {
            return [$"namespace {ns} does not exist: create it first (kubectl create namespace {ns}); this run keeps its lock there"];
        }

        return await cluster.Deployments.FindAsync(context.Deployment, context.CancellationToken) is null
            ? []
            : [$"deployment/{context.Deployment} already runs in namespace {ns}: a second migration would overwrite its live data (use RollingUpgrade to update it, or migrate into an empty namespace with --namespace)"];
    }

    public override IEnumerable<string> Plan(DeployContext context)
    {
        foreach (var path in Paths(context))
        {
            yield return context.Cluster.Manifests.DescribeApply(context.Shown(path));
        }

        if (File.Exists(NewPostgresManifest(context)))
        {
            yield return $"# {context.Shown(NewPostgresManifest(context))} left out: the PostgreSQL major-upgrade target, deployed by PostgresMajorUpgrade";
        }
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var manifests = context.Cluster.Manifests;
        var created = new List<string>();
        foreach (var path in Paths(context))
        {
            var wouldCreate = (await manifests.ApplyAsync(path, dryRun: true, context.CancellationToken)).Where(item => item.Created).ToList();
            foreach (var item in wouldCreate)
            {
                context.Record(Name, new DeleteCreatedObject(item.Kind, item.Namespace, item.Name));
            }

            await manifests.ApplyAsync(path, dryRun: false, context.CancellationToken);
            created.AddRange(wouldCreate.Select(item => $"{item.Kind.ToLowerInvariant()}/{item.Name}"));
        }

        context.Log.Information("Applied {0}; created: {1}.", string.Join(", ", Paths(context).Select(context.Shown)), created.Count == 0 ? "nothing" : string.Join(", ", created));
    }

    /// <summary>k8s/base as a folder, then each file of k8s/deployments but the major-upgrade target, in name order.</summary>
    private static IEnumerable<string> Paths(DeployContext context)
    {
        yield return Path.Combine(context.Settings.ManifestsDir, "base");
        var deployments = Path.Combine(context.Settings.ManifestsDir, "deployments");
        if (!Directory.Exists(deployments))
        {
            yield break;
        }

        foreach (var file in Directory.GetFiles(deployments).Where(IsManifest).Where(file => file != NewPostgresManifest(context)).Order(StringComparer.Ordinal))
        {
            yield return file;
        }
    }

    private static bool IsManifest(string file) =>
        file.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    private static string NewPostgresManifest(DeployContext context) =>
        Path.Combine(context.Settings.ManifestsDir, "deployments", context.Settings.NewPostgres + ".yaml");
}
