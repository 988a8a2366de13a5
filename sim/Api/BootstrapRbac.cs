using System.Text.Json.Nodes;

namespace TwisterLab.KubeSim.Api;

/// <summary>
/// The bootstrap roles a v1.32 apiserver (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go) and kind create that
/// every user depends on: cluster-admin (bound to system:masters and, as kind does, to kubeadm:cluster-admins),
/// system:discovery and system:public-info-viewer (discovery, /version, health), system:basic-user (the self reviews of
/// auth whoami and auth can-i). The aggregated admin/edit/view roles and the controllers' roles are left out.
/// </summary>
internal static class BootstrapRbac
{
    static readonly string[] DiscoveryUrls = ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"];
    static readonly string[] PublicInfoUrls = ["/healthz", "/livez", "/readyz", "/version", "/version/"];

    public static void Create(Registry registry)
    {
        ClusterRole(registry, "cluster-admin",
            new JsonObject { ["apiGroups"] = Strings("*"), ["resources"] = Strings("*"), ["verbs"] = Strings("*") },
            new JsonObject { ["nonResourceURLs"] = Strings("*"), ["verbs"] = Strings("*") });
        ClusterRole(registry, "system:discovery", new JsonObject { ["nonResourceURLs"] = Strings(DiscoveryUrls), ["verbs"] = Strings("get") });
        ClusterRole(registry, "system:public-info-viewer", new JsonObject { ["nonResourceURLs"] = Strings(PublicInfoUrls), ["verbs"] = Strings("get") });
        ClusterRole(registry, "system:basic-user",
            new JsonObject { ["apiGroups"] = Strings("authorization.k8s.io"), ["resources"] = Strings("selfsubjectaccessreviews", "selfsubjectrulesreviews"), ["verbs"] = Strings("create") },
            new JsonObject { ["apiGroups"] = Strings("authentication.k8s.io"), ["resources"] = Strings("selfsubjectreviews"), ["verbs"] = Strings("create") });

        Binding(registry, "cluster-admin", "cluster-admin", UserInfo.Masters);
        Binding(registry, "kubeadm:cluster-admins", "cluster-admin", "kubeadm:cluster-admins");
        Binding(registry, "system:discovery", "system:discovery", "system:authenticated");
        Binding(registry, "system:public-info-viewer", "system:public-info-viewer", "system:authenticated", "system:unauthenticated");
        Binding(registry, "system:basic-user", "system:basic-user", "system:authenticated");
    }

    static JsonArray Strings(params string[] values) => new(values.Select(v => (JsonNode)v).ToArray());

    static JsonObject Bootstrapping(string name) => new()
    {
        ["name"] = name,
        ["labels"] = new JsonObject { ["kubernetes.io/bootstrapping"] = "rbac-defaults" },
        ["annotations"] = new JsonObject { ["rbac.authorization.kubernetes.io/autoupdate"] = "true" },
    };

    static void ClusterRole(Registry registry, string name, params JsonObject[] rules) =>
        registry.Create(ResourceCatalog.ClusterRoles, null, new JsonObject
        {
            ["metadata"] = Bootstrapping(name),
            ["rules"] = new JsonArray(rules.Select(r => (JsonNode)r).ToArray()),
        });

    static void Binding(Registry registry, string name, string role, params string[] groups) =>
        registry.Create(ResourceCatalog.ClusterRoleBindings, null, new JsonObject
        {
            ["metadata"] = Bootstrapping(name),
            ["roleRef"] = new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "ClusterRole", ["name"] = role },
            ["subjects"] = new JsonArray(groups.Select(g => (JsonNode)new JsonObject { ["apiGroup"] = "rbac.authorization.k8s.io", ["kind"] = "Group", ["name"] = g }).ToArray()),
        });
}
