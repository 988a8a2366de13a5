using Microsoft.AspNetCore.Http;

namespace TwisterLab.KubeSim.Api;

/// <summary>
/// What the authorizer sees of a request (staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go): the verb
/// from the method (GET on a name = get, on a collection = list, ?watch = watch, POST = create, PUT = update, PATCH =
/// patch, DELETE on a collection = deletecollection), the API group, resource, subresource, namespace and name. A
/// Namespace object's namespace is its own name, as upstream reads /api/v1/namespaces/{name}.
/// </summary>
internal sealed record RequestAttributes(string Verb, string Group, string Resource, string Subresource, string Namespace, string Name, string? Path = null)
{
    public bool IsResourceRequest => Path is null;

    /// <summary>"pods/exec", or "pods" without a subresource: how RBAC rules and messages name it.</summary>
    public string CombinedResource => Subresource.Length == 0 ? Resource : $"{Resource}/{Subresource}";

    public static RequestAttributes ForPath(string verb, string path) => new(verb, "", "", "", "", "", path);

    public static RequestAttributes Of(HttpRequest request, ResourcePath r)
    {
        var named = r.Name is not null;
        var verb = request.Method switch
        {
            "GET" or "HEAD" when QueryBool.Parse(request.Query["watch"], "watch") => "watch",
            "GET" or "HEAD" => named ? "get" : "list",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => named ? "delete" : "deletecollection",
            _ => request.Method.ToLowerInvariant(),
        };
        var ns = r.Type == ResourceCatalog.Namespaces ? r.Name ?? "" : r.Namespace ?? "";
        return new RequestAttributes(verb, r.Type.Group, r.Type.Plural, r.Subresource ?? "", ns, r.Name ?? "");
    }

    /// <summary>The verb of a plain (non-resource) URL, as requestinfo.go lower-cases the method.</summary>
    public static string NonResourceVerb(string method) => method.ToLowerInvariant();
}
