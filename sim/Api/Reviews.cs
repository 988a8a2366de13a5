using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Api;

/// <summary>The create-only answers about the caller: SelfSubjectReview (auth whoami), SelfSubjectAccessReview (auth can-i), TokenRequest.</summary>
internal static class Reviews
{
    /// <summary>POST of a SelfSubjectReview or SelfSubjectAccessReview: the request with its answer in status.</summary>
    public static JsonObject Answer(ResourceType type, JsonObject body, UserInfo user, RbacAuthorizer authorization)
    {
        var review = Json.Clone(body);
        review["apiVersion"] = type.ApiVersion;
        review["kind"] = type.Kind;
        review["metadata"] = new JsonObject { ["creationTimestamp"] = null };
        if (type == ResourceCatalog.SelfSubjectReviews)
        {
            var info = new JsonObject
            {
                ["username"] = user.Name,
                ["groups"] = new JsonArray(user.Groups.Select(g => (JsonNode)g).ToArray()),
            };
            if (user.Uid is not null) info["uid"] = user.Uid;
            review["status"] = new JsonObject { ["userInfo"] = info };
            return review;
        }
        var decision = authorization.Authorize(user, AttributesOf(Json.Obj(review, "spec")));
        var status = new JsonObject { ["allowed"] = decision.Allowed };
        if (decision.Reason.Length > 0) status["reason"] = decision.Reason;
        review["status"] = status;
        return review;
    }

    /// <summary>spec.resourceAttributes or spec.nonResourceAttributes of a SelfSubjectAccessReview, as the authorizer reads them.</summary>
    static RequestAttributes AttributesOf(JsonObject spec)
    {
        if (spec["nonResourceAttributes"] is JsonObject plain)
            return RequestAttributes.ForPath(Json.Str(plain, "verb") ?? "", Json.Str(plain, "path") ?? "");
        var r = spec["resourceAttributes"] as JsonObject ?? new JsonObject();
        return new RequestAttributes(Json.Str(r, "verb") ?? "", Json.Str(r, "group") ?? "", Json.Str(r, "resource") ?? "",
            Json.Str(r, "subresource") ?? "", Json.Str(r, "namespace") ?? "", Json.Str(r, "name") ?? "");
    }

    /// <summary>The TokenRequest answered to POST serviceaccounts/{name}/token (pkg/registry/core/serviceaccount/storage/token.go).</summary>
    public static JsonObject TokenRequest(string ns, string name, string token, TimeSpan lifetime) => new()
    {
        ["kind"] = "TokenRequest",
        ["apiVersion"] = "authentication.k8s.io/v1",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["creationTimestamp"] = Json.Timestamp(DateTime.UtcNow) },
        ["spec"] = new JsonObject
        {
            ["audiences"] = new JsonArray("https://kubernetes.default.svc.cluster.local"),
            ["expirationSeconds"] = (long)lifetime.TotalSeconds,
            ["boundObjectRef"] = null,
        },
        ["status"] = new JsonObject { ["token"] = token, ["expirationTimestamp"] = Json.Timestamp(DateTime.UtcNow + lifetime) },
    };
}
