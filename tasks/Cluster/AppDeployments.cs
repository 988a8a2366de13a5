using k8s.Models;

namespace TwisterLab.Cake.Cluster;

/// <summary>
/// The deployments of one application as its Service sees them. Blue-green leaves several: the Service's selector
/// (app + version label) says which one serves; the others of the same app are retired colours. Chains act on the
/// serving one, whatever its name.
/// </summary>
public sealed record AppDeployments(IReadOnlyList<V1Deployment> Serving, IReadOnlyList<V1Deployment> Retired)
{
    /// <summary>The label that tells colours apart; the Service selects one value of it.</summary>
    public const string VersionLabel = "version";

    public static async Task<AppDeployments> ReadAsync(ClusterGateway cluster, string service, CancellationToken cancellationToken)
    {
        var selector = (await cluster.Services.FindAsync(service, cancellationToken))?.Spec?.Selector;
        if (selector is null || selector.Count == 0)
        {
            return new([], []);
        }

        return Classify(selector, await cluster.Deployments.ListAsync(cancellationToken));
    }

    /// <summary>Pure: serving = pod labels match the whole selector; retired = same app (selector without version), not serving.</summary>
    public static AppDeployments Classify(IDictionary<string, string> selector, IEnumerable<V1Deployment> deployments)
    {
        var app = selector.Where(pair => pair.Key != VersionLabel).ToDictionary();
        var ofApp = deployments.Where(deployment => app.Count > 0 && Selectors.Matches(app, deployment.Spec?.Template?.Metadata?.Labels)).ToList();
        var serving = ofApp.Where(deployment => Selectors.Matches(selector, deployment.Spec?.Template?.Metadata?.Labels)).ToList();
        return new(serving, ofApp.Except(serving).ToList());
    }

    /// <summary>
    /// The one deployment the Service sends traffic to; null when none does (nothing installed yet, or a Service whose
    /// pods are gone). Several serving with replicas (a canary still sharing traffic) is no answer: the caller refuses.
    /// </summary>
    public string? Live(out string? ambiguity)
    {
        ambiguity = null;
        var serving = Serving.Count > 1 ? Serving.Where(deployment => (deployment.Spec?.Replicas ?? 1) > 0).ToList() : Serving.ToList();
        if (serving.Count > 1)
        {
            ambiguity = $"the Service sends traffic to several deployments ({Names(serving)}): finish the blue-green switch or run BlueGreenRollback first";
            return null;
        }

        return serving.SingleOrDefault()?.Metadata.Name;
    }

    public static string Names(IEnumerable<V1Deployment> deployments) => string.Join(", ", deployments.Select(deployment => deployment.Metadata.Name));
}
