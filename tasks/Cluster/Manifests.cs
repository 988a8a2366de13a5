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

    public string DescribeDeleteObject(string kind, string name) => CommandDeleteObject(kind, name).ToString();

    public KubectlCommand CommandDeleteObject(string kind, string name) =>
        IsClusterScoped(kind)
            ? _scope.Kubectl.ClusterScoped("delete", $"{kind.ToLowerInvariant()}/{name}", "--ignore-not-found")
            : _scope.Kubectl.Namespaced("delete", $"{kind.ToLowerInvariant()}/{name}", "--ignore-not-found");

    public string DescribeDelete(string path) => _scope.Kubectl.Namespaced("delete", "-f", path, "--ignore-not-found").ToString();

    /// <summary>
    /// Deletes every object of the manifests (kubectl delete -f), workloads first (the reverse of the apply order).
    /// Refused in production unless confirmed. Returns the objects that existed.
    /// </summary>
    public async Task<IReadOnlyList<AppliedObject>> DeleteAsync(string path, DestructiveGuard guard, CancellationToken cancellationToken)
    {
        guard.Check($"delete the objects of {path}");
        var deleted = new List<AppliedObject>();
        foreach (var item in (await LoadAsync(path)).Reverse())
        {
            var ns = IsClusterScoped(item.Kind) ? null : item.Metadata.NamespaceProperty ?? _scope.Namespace;
            if (await DeleteObjectAsync(item.Kind, ns, item.Metadata.Name, cancellationToken))
            {
                deleted.Add(new AppliedObject(item.Kind, ns, item.Metadata.Name, Created: false));
            }
        }

        return deleted;
    }

    /// <summary>Deletes one object of a kind this tool applies (background propagation). False when it did not exist. Idempotent.</summary>
    public async Task<bool> DeleteObjectAsync(string kind, string? @namespace, string name, CancellationToken cancellationToken)
    {
        var ns = @namespace ?? _scope.Namespace;
        var client = _scope.Client;
        var what = $"delete {kind.ToLowerInvariant()}/{name}{(IsClusterScoped(kind) ? "" : $" in namespace {ns}")}";
        const string background = "Background";
        var deleted = await _scope.Api.FindAsync(what, async token =>
        {
            try
            {
                Task call = kind switch
                {
                    "Namespace" => client.CoreV1.DeleteNamespaceAsync(name, propagationPolicy: background, cancellationToken: token),
                    "ServiceAccount" => client.CoreV1.DeleteNamespacedServiceAccountAsync(name, ns, propagationPolicy: background, cancellationToken: token),
                    "Secret" => client.CoreV1.DeleteNamespacedSecretAsync(name, ns, propagationPolicy: background, cancellationToken: token),
                    "ConfigMap" => client.CoreV1.DeleteNamespacedConfigMapAsync(name, ns, propagationPolicy: background, cancellationToken: token),
                    "PersistentVolumeClaim" => client.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync(name, ns, propagationPolicy: background, cancellationToken: token),
                    "Service" => client.CoreV1.DeleteNamespacedServiceAsync(name, ns, propagationPolicy: background, cancellationToken: token),
                    "PodDisruptionBudget" => client.PolicyV1.DeleteNamespacedPodDisruptionBudgetAsync(name, ns, propagationPolicy: background, cancellationToken: token),
                    "Deployment" => client.AppsV1.DeleteNamespacedDeploymentAsync(name, ns, propagationPolicy: background, cancellationToken: token),
                    "StatefulSet" => client.AppsV1.DeleteNamespacedStatefulSetAsync(name, ns, propagationPolicy: background, cancellationToken: token),
                    "DaemonSet" => client.AppsV1.DeleteNamespacedDaemonSetAsync(name, ns, propagationPolicy: background, cancellationToken: token),
                    "Job" => client.BatchV1.DeleteNamespacedJobAsync(name, ns, propagationPolicy: background, cancellationToken: token),
                    "CronJob" => client.BatchV1.DeleteNamespacedCronJobAsync(name, ns, propagationPolicy: background, cancellationToken: token),
                    "Ingress" => client.NetworkingV1.DeleteNamespacedIngressAsync(name, ns, propagationPolicy: background, cancellationToken: token),
                    "Role" => client.RbacAuthorizationV1.DeleteNamespacedRoleAsync(name, ns, propagationPolicy: background, cancellationToken: token),
                    "RoleBinding" => client.RbacAuthorizationV1.DeleteNamespacedRoleBindingAsync(name, ns, propagationPolicy: background, cancellationToken: token),
                    _ => throw new ClusterException($"Cannot {what}: this tool handles {string.Join(", ", KindOrder)} only. Delete it with kubectl."),
                };
                await call;
            }
            catch (System.Text.Json.JsonException)
            {
                // A 2xx whose body is a Status instead of the object (allowed by the API): deleted all the same.
            }

            return name;
        }, cancellationToken);
        return deleted is not null;
    }
}
