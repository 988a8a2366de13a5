using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace TwisterLab.Cake.Cluster;

/// <summary>One object of an apply, and whether the apply created it (the undo of a creation is a deletion).</summary>
public sealed record AppliedObject(string Kind, string? Namespace, string Name, bool Created);

/// <summary>
/// Applies manifests (a file or every .yaml/.yml/.json file of a folder, multi-document) by server-side apply with
/// field manager twisterlab-cake, namespaces first, then configuration and secrets, then services, then workloads.
/// </summary>
public sealed class Manifests
{
    private readonly ClusterScope _scope;

    internal Manifests(ClusterScope scope) => _scope = scope;

    /// <summary>The order kinds are applied in: what others refer to comes first.</summary>
    public static readonly IReadOnlyList<string> KindOrder =
    [
        "Namespace", "ServiceAccount", "Secret", "ConfigMap", "PersistentVolumeClaim", "Role", "RoleBinding",
        "Service", "PodDisruptionBudget", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Ingress",
    ];

    public string DescribeApply(string path, bool dryRun = false) => CommandApply(path, dryRun).ToString();

    public KubectlCommand CommandApply(string path, bool dryRun = false)
    {
        var arguments = new List<object> { "apply", "--server-side", $"--field-manager={ClusterGateway.FieldManager}", "--force-conflicts", "-f", path };
        if (dryRun)
        {
            arguments.Add("--dry-run=server");
        }

        return _scope.Kubectl.Namespaced(arguments.ToArray());
    }

    /// <summary>Reads the manifests of a file or folder, in apply order (stable within a kind).</summary>
    public static async Task<IReadOnlyList<IKubernetesObject<V1ObjectMeta>>> LoadAsync(string path)
    {
        var files = Directory.Exists(path)
            ? Directory.GetFiles(path).Where(file => file.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".json", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToList()
            : File.Exists(path) ? [path] : throw new FileNotFoundException($"The manifest path '{path}' does not exist. Pass a YAML file or a folder of them.", path);
        var objects = new List<IKubernetesObject<V1ObjectMeta>>();
        foreach (var file in files)
        {
            List<object> documents;
            try
            {
                documents = await KubernetesYaml.LoadAllFromFileAsync(file);
            }
            catch (Exception exception) when (exception is KeyNotFoundException or YamlDotNet.Core.YamlException or InvalidOperationException)
            {
                throw new ClusterException($"Cannot read the manifest '{file}': {exception.Message}. Fix the YAML (every document needs a known apiVersion and kind).", exception);
            }

            foreach (var document in documents)
            {
                if (document is not IKubernetesObject<V1ObjectMeta> typed || string.IsNullOrEmpty(typed.Metadata?.Name))
                {
                    throw new ClusterException($"A document of '{file}' has no metadata.name. Every manifest needs one.");
                }

                objects.Add(typed);
            }
        }

        return objects.OrderBy(item => Rank(item.Kind)).ToList();
    }

    private static int Rank(string kind)
    {
        var index = KindOrder.ToList().IndexOf(kind);
        return index < 0 ? KindOrder.Count : index;
    }

    /// <summary>
    /// Applies every object (server-side apply, conflicts forced to our field manager). With <paramref name="dryRun"/>
    /// the server validates and computes but persists nothing (--dry-run=server). Returns what was created or updated.
    /// </summary>
    public async Task<IReadOnlyList<AppliedObject>> ApplyAsync(string path, bool dryRun, CancellationToken cancellationToken)
    {
        var applied = new List<AppliedObject>();
        foreach (var item in await LoadAsync(path))
        {
            var ns = IsClusterScoped(item.Kind) ? null : item.Metadata.NamespaceProperty ?? _scope.Namespace;
            if (ns is not null)
            {
                item.Metadata.NamespaceProperty = ns;
            }

            var name = item.Metadata.Name;
            var what = $"apply {item.Kind.ToLowerInvariant()}/{name}{(ns is null ? "" : $" in namespace {ns}")}";
            var status = await _scope.Api.CallAsync(what, token => ApplyOneAsync(item, ns, dryRun, token), cancellationToken);
            applied.Add(new AppliedObject(item.Kind, ns, name, status == HttpStatusCode.Created));
        }

        return applied;
    }

    private static bool IsClusterScoped(string kind) => kind is "Namespace" or "PersistentVolume" or "ClusterRole" or "ClusterRoleBinding" or "StorageClass" or "PriorityClass";

    private async Task<HttpStatusCode> ApplyOneAsync(IKubernetesObject<V1ObjectMeta> item, string? ns, bool dryRun, CancellationToken token)
    {
        var patch = new V1Patch(KubernetesJson.Serialize(item), V1Patch.PatchType.ApplyPatch);
        var dry = dryRun ? "All" : null;
        const string manager = ClusterGateway.FieldManager;
        var name = item.Metadata.Name;
        var client = _scope.Client;
        HttpResponseMessage response = item switch
        {
            V1Namespace => (await client.CoreV1.PatchNamespaceWithHttpMessagesAsync(patch, name, dry, manager, force: true, cancellationToken: token)).Response,
            V1ServiceAccount => (await client.CoreV1.PatchNamespacedServiceAccountWithHttpMessagesAsync(patch, name, ns, dry, manager, force: true, cancellationToken: token)).Response,
            V1Secret => (await client.CoreV1.PatchNamespacedSecretWithHttpMessagesAsync(patch, name, ns, dry, manager, force: true, cancellationToken: token)).Response,
            V1ConfigMap => (await client.CoreV1.PatchNamespacedConfigMapWithHttpMessagesAsync(patch, name, ns, dry, manager, force: true, cancellationToken: token)).Response,
            V1PersistentVolumeClaim => (await client.CoreV1.PatchNamespacedPersistentVolumeClaimWithHttpMessagesAsync(patch, name, ns, dry, manager, force: true, cancellationToken: token)).Response,
            V1Service => (await client.CoreV1.PatchNamespacedServiceWithHttpMessagesAsync(patch, name, ns, dry, manager, force: true, cancellationToken: token)).Response,
            V1PodDisruptionBudget => (await client.PolicyV1.PatchNamespacedPodDisruptionBudgetWithHttpMessagesAsync(patch, name, ns, dry, manager, force: true, cancellationToken: token)).Response,
            V1Deployment => (await client.AppsV1.PatchNamespacedDeploymentWithHttpMessagesAsync(patch, name, ns, dry, manager, force: true, cancellationToken: token)).Response,
            V1StatefulSet => (await client.AppsV1.PatchNamespacedStatefulSetWithHttpMessagesAsync(patch, name, ns, dry, manager, force: true, cancellationToken: token)).Response,
            V1DaemonSet => (await client.AppsV1.PatchNamespacedDaemonSetWithHttpMessagesAsync(patch, name, ns, dry, manager, force: true, cancellationToken: token)).Response,
            V1Job => (await client.BatchV1.PatchNamespacedJobWithHttpMessagesAsync(patch, name, ns, dry, manager, force: true, cancellationToken: token)).Response,
            V1CronJob => (await client.BatchV1.PatchNamespacedCronJobWithHttpMessagesAsync(patch, name, ns, dry, manager, force: true, cancellationToken: token)).Response,
            V1Ingress => (await client.NetworkingV1.PatchNamespacedIngressWithHttpMessagesAsync(patch, name, ns, dry, manager, force: true, cancellationToken: token)).Response,
            V1Role => (await client.RbacAuthorizationV1.PatchNamespacedRoleWithHttpMessagesAsync(patch, name, ns, dry, manager, force: true, cancellationToken: token)).Response,
            V1RoleBinding => (await client.RbacAuthorizationV1.PatchNamespacedRoleBindingWithHttpMessagesAsync(patch, name, ns, dry, manager, force: true, cancellationToken: token)).Response,
            _ => throw new ClusterException($"Cannot apply {item.Kind}/{name}: this tool applies {string.Join(", ", KindOrder)} only. Apply that manifest with kubectl apply."),
        };
        return response.StatusCode;
    }

    public string DescribeDelete(string kind, string name) => _scope.Kubectl.Namespaced("delete", $"{kind.ToLowerInvariant()}/{name}").ToString();
}
