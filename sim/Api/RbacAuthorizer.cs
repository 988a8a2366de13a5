using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Api;

/// <summary>An authorizer's answer: allowed or not, and the reason kubectl auth can-i and the 403 message carry.</summary>
internal sealed record Decision(bool Allowed, string Reason);

/// <summary>
/// RBAC as plugin/pkg/auth/authorizer/rbac/rbac.go evaluates it: the rules of every ClusterRoleBinding whose subjects
/// name the user, then (for a namespaced request) of every RoleBinding in the request's namespace. Rules match as in
/// pkg/apis/rbac/v1/evaluation_helpers.go (verbs, apiGroups, resources with "*" and "*/sub", resourceNames,
/// nonResourceURLs with a trailing "*"). A binding whose role does not exist adds "RBAC: role... not found" to the
/// reason. Privileged users (the admin, system:masters) pass without evaluation.
/// </summary>
internal sealed class RbacAuthorizer(ObjectStore store)
{
    public Decision Authorize(UserInfo user, RequestAttributes request)
    {
        if (user.IsPrivileged) return new Decision(true, "");
        var missing = new List<string>();
        foreach (var binding in store.List(ResourceCatalog.ClusterRoleBindings, null).Items)
        {
            if (!Binds(binding, user, "")) continue;
            if (Allows(RulesOf(binding, "", missing), request))
                return new Decision(true, $"RBAC: allowed by ClusterRoleBinding \"{Json.Str(binding, "metadata", "name")}\" of ClusterRole \"{Json.Str(binding, "roleRef", "name")}\" to {SubjectOf(binding, user, "")}");
        }
        if (request.IsResourceRequest && request.Namespace.Length > 0)
            foreach (var binding in store.List(ResourceCatalog.RoleBindings, request.Namespace).Items)
            {
                if (!Binds(binding, user, request.Namespace)) continue;
                if (Allows(RulesOf(binding, request.Namespace, missing), request))
                    return new Decision(true, $"RBAC: allowed by RoleBinding \"{Json.Str(binding, "metadata", "name")}/{request.Namespace}\" of {Json.Str(binding, "roleRef", "kind")} \"{Json.Str(binding, "roleRef", "name")}\" to {SubjectOf(binding, user, request.Namespace)}");
            }
        return new Decision(false, missing.Count == 0 ? "" : "RBAC: " + (missing.Count == 1 ? missing[0] : "[" + string.Join(", ", missing) + "]"));
    }

    /// <summary>The 403 an apiserver answers (endpoints/handlers/responsewriters/errors.go Forbidden + apierrors.NewForbidden).</summary>
    public static ApiException Forbidden(UserInfo user, RequestAttributes request, string reason)
    {
        string message;
        if (!request.IsResourceRequest)
            message = $"User \"{user.Name}\" cannot {request.Verb} path \"{request.Path}\"";
        else if (request.Namespace.Length > 0)
            message = $"User \"{user.Name}\" cannot {request.Verb} resource \"{request.CombinedResource}\" in API group \"{request.Group}\" in the namespace \"{request.Namespace}\"";
        else
            message = $"User \"{user.Name}\" cannot {request.Verb} resource \"{request.CombinedResource}\" in API group \"{request.Group}\" at the cluster scope";
        if (reason.Length > 0) message += ": " + reason;
        if (!request.IsResourceRequest) return new ApiException(403, "Forbidden", "forbidden: " + message, new JsonObject());
        var qualified = request.Group.Length == 0 ? request.Resource : $"{request.Resource}.{request.Group}";
        var full = request.Name.Length == 0 ? $"{qualified} is forbidden: {message}" : $"{qualified} \"{request.Name}\" is forbidden: {message}";
        var details = new JsonObject { ["group"] = request.Group, ["kind"] = request.Resource };
        if (request.Name.Length > 0) details["name"] = request.Name;
        return new ApiException(403, "Forbidden", full, details);
    }

    static bool Binds(JsonObject binding, UserInfo user, string bindingNamespace) =>
        (binding["subjects"] as JsonArray)?.OfType<JsonObject>().Any(s => Matches(s, user, bindingNamespace)) ?? false;

    static string SubjectOf(JsonObject binding, UserInfo user, string bindingNamespace)
    {
        var subject = (binding["subjects"] as JsonArray)!.OfType<JsonObject>().First(s => Matches(s, user, bindingNamespace));
        var kind = Json.Str(subject, "kind");
        return kind == "ServiceAccount"
            ? $"ServiceAccount \"{Json.Str(subject, "name")}/{Json.Str(subject, "namespace") ?? bindingNamespace}\""
            : $"{kind} \"{Json.Str(subject, "name")}\"";
    }

    /// <summary>rbac.go appliesToUser: a ServiceAccount subject without a namespace means the binding's own.</summary>
    static bool Matches(JsonObject subject, UserInfo user, string bindingNamespace)
    {
        var name = Json.Str(subject, "name");
        switch (Json.Str(subject, "kind"))
        {
            case "User":
                return name == user.Name;
            case "Group":
                return name is not null && user.Groups.Contains(name);
            case "ServiceAccount":
                var ns = Json.Str(subject, "namespace") is { Length: > 0 } given ? given : bindingNamespace;
                return ns.Length > 0 && user.Name == $"system:serviceaccount:{ns}:{name}";
            default:
                return false;
        }
    }

    IEnumerable<JsonObject> RulesOf(JsonObject binding, string bindingNamespace, List<string> missing)
    {
        var kind = Json.Str(binding, "roleRef", "kind");
        var name = Json.Str(binding, "roleRef", "name") ?? "";
        var role = kind == "ClusterRole"
            ? store.Get(ResourceCatalog.ClusterRoles, null, name)
            : bindingNamespace.Length > 0 ? store.Get(ResourceCatalog.Roles, bindingNamespace, name) : null;
        if (role is null)
        {
            missing.Add($"{(kind == "ClusterRole" ? "clusterrole" : "role")}.rbac.authorization.k8s.io \"{name}\" not found");
            return [];
        }
        return (role["rules"] as JsonArray)?.OfType<JsonObject>() ?? [];
    }

    static bool Allows(IEnumerable<JsonObject> rules, RequestAttributes request) => rules.Any(rule => Allows(rule, request));

    /// <summary>evaluation_helpers.go RuleAllows / the rule checks of rbac.go.</summary>
    public static bool Allows(JsonObject rule, RequestAttributes request)
    {
        if (!Has(rule, "verbs", request.Verb)) return false;
        if (!request.IsResourceRequest)
            return Strings(rule, "nonResourceURLs").Any(url => url == "*" || url == request.Path || (url.EndsWith('*') && request.Path!.StartsWith(url[..^1], StringComparison.Ordinal)));
        if (!Has(rule, "apiGroups", request.Group)) return false;
        if (!Strings(rule, "resources").Any(resource => ResourceMatches(resource, request))) return false;
        var names = Strings(rule, "resourceNames").ToList();
        return names.Count == 0 || names.Contains(request.Name);
    }

    static bool ResourceMatches(string ruleResource, RequestAttributes request)
    {
        if (ruleResource == "*" || ruleResource == request.CombinedResource) return true;
        return request.Subresource.Length > 0 && ruleResource == "*/" + request.Subresource;
    }

    static bool Has(JsonObject rule, string field, string value) => Strings(rule, field).Any(v => v == "*" || v == value);

    static IEnumerable<string> Strings(JsonObject rule, string field) =>
        (rule[field] as JsonArray)?.Select(v => v?.GetValue<string>() ?? "") ?? [];
}
