namespace TwisterLab.KubeSim.Api;

/// <summary>One served resource: enough to route a URL, answer discovery and default a missing apiVersion/kind.</summary>
internal sealed record ResourceType(
    string Group,
    string Version,
    string Kind,
    string Plural,
    bool Namespaced,
    string[] ShortNames,
    string[] Subresources,
    bool InAllCategory = false,
    bool CreateOnly = false)
{
    /// <summary>What discovery lists: reviews (SelfSubjectAccessReview …) are only ever created.</summary>
    public string[] Verbs => CreateOnly ? ["create"] : AllVerbs;

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
    public string Singular => Kind.ToLowerInvariant();
    public string ListKind => Kind + "List";

    /// <summary>URL prefix of the group-version: /api/v1 or /apis/apps/v1.</summary>
    public string GroupVersionPath => Group.Length == 0 ? "/api/v1" : $"/apis/{Group}/{Version}";

    public static readonly string[] AllVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
}

/// <summary>The fixed set of resources the simulator serves.</summary>
internal static class ResourceCatalog
{
    public static readonly ResourceType Namespaces = new("", "v1", "Namespace", "namespaces", false, ["ns"], ["status", "finalize"]);
    public static readonly ResourceType Nodes = new("", "v1", "Node", "nodes", false, ["no"], ["status"]);
    public static readonly ResourceType Pods = new("", "v1", "Pod", "pods", true, ["po"], ["status", "eviction", "exec", "log", "portforward"], true);
    public static readonly ResourceType Services = new("", "v1", "Service", "services", true, ["svc"], ["status"], true);
    public static readonly ResourceType Endpoints = new("", "v1", "Endpoints", "endpoints", true, ["ep"], []);
    public static readonly ResourceType Secrets = new("", "v1", "Secret", "secrets", true, [], []);
    public static readonly ResourceType ConfigMaps = new("", "v1", "ConfigMap", "configmaps", true, ["cm"], []);
    public static readonly ResourceType Events = new("", "v1", "Event", "events", true, ["ev"], []);
    public static readonly ResourceType PersistentVolumeClaims = new("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, ["pvc"], ["status"]);
    public static readonly ResourceType Deployments = new("apps", "v1", "Deployment", "deployments", true, ["deploy"], ["status", "scale"], true);
    public static readonly ResourceType ReplicaSets = new("apps", "v1", "ReplicaSet", "replicasets", true, ["rs"], ["status", "scale"], true);
    public static readonly ResourceType DaemonSets = new("apps", "v1", "DaemonSet", "daemonsets", true, ["ds"], ["status"], true);
    public static readonly ResourceType PodDisruptionBudgets = new("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true, ["pdb"], ["status"]);
    public static readonly ResourceType Leases = new("coordination.k8s.io", "v1", "Lease", "leases", true, [], []);

    // Stored and served, with no controller behind them (see the README): manifests that carry them apply cleanly.
    // CronJobs, EndpointSlices, StorageClasses, the RBAC kinds and CRDs (which serve no custom resources) are too.
    public static readonly ResourceType ServiceAccounts = new("", "v1", "ServiceAccount", "serviceaccounts", true, ["sa"], ["token"]);
    public static readonly ResourceType Ingresses = new("networking.k8s.io", "v1", "Ingress", "ingresses", true, ["ing"], ["status"]);
    public static readonly ResourceType NetworkPolicies = new("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true, ["netpol"], []);
    public static readonly ResourceType HorizontalPodAutoscalers = new("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, ["hpa"], ["status"], true);

    public static readonly ResourceType Jobs = new("batch", "v1", "Job", "jobs", true, [], ["status"], true);
    public static readonly ResourceType CronJobs = new("batch", "v1", "CronJob", "cronjobs", true, ["cj"], ["status"], true);
    public static readonly ResourceType StatefulSets = new("apps", "v1", "StatefulSet", "statefulsets", true, ["sts"], ["status", "scale"], true);
    public static readonly ResourceType ControllerRevisions = new("apps", "v1", "ControllerRevision", "controllerrevisions", true, [], []);
    public static readonly ResourceType EndpointSlices = new("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true, [], []);
    public static readonly ResourceType StorageClasses = new("storage.k8s.io", "v1", "StorageClass", "storageclasses", false, ["sc"], []);
    public static readonly ResourceType Roles = new("rbac.authorization.k8s.io", "v1", "Role", "roles", true, [], []);
    public static readonly ResourceType RoleBindings = new("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true, [], []);
    public static readonly ResourceType ClusterRoles = new("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false, [], []);
    public static readonly ResourceType ClusterRoleBindings = new("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false, [], []);
    public static readonly ResourceType CustomResourceDefinitions = new("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false, ["crd", "crds"], ["status"]);

    public static readonly ResourceType SelfSubjectAccessReviews = new("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", false, [], [], CreateOnly: true);
    public static readonly ResourceType SelfSubjectReviews = new("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", false, [], [], CreateOnly: true);

    public static readonly IReadOnlyList<ResourceType> All =
    [
        Namespaces, Nodes, Pods, Services, Endpoints, Secrets, ConfigMaps, Events, PersistentVolumeClaims,
        Deployments, ReplicaSets, DaemonSets, PodDisruptionBudgets, Leases,
        ServiceAccounts, Ingresses, NetworkPolicies, HorizontalPodAutoscalers,
        Jobs, CronJobs, StatefulSets, ControllerRevisions, EndpointSlices, StorageClasses,
        Roles, RoleBindings, ClusterRoles, ClusterRoleBindings, CustomResourceDefinitions,
        SelfSubjectAccessReviews, SelfSubjectReviews,
    ];

    public static IEnumerable<string> Groups => All.Select(t => t.Group).Where(g => g.Length > 0).Distinct();

    /// <summary>The one version served for a group (every group here serves exactly one).</summary>
    public static string VersionOf(string group) => All.First(t => t.Group == group).Version;

    public static ResourceType? Find(string group, string version, string plural) =>
        All.FirstOrDefault(t => t.Group == group && t.Version == version && t.Plural == plural);
}
