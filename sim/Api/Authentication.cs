using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Api;

/// <summary>Who a request comes from, as the apiserver's authenticators would tell.</summary>
internal sealed record UserInfo(string Name, IReadOnlyList<string> Groups)
{
    /// <summary>kind's admin: what the simulator's own kubeconfig token authenticates as.</summary>
    public static readonly UserInfo Admin = new("kubernetes-admin", ["kubeadm:cluster-admins", "system:authenticated"]);
}

/// <summary>
/// Bearer-token authentication. The simulator's kubeconfig token is the cluster admin; a token nobody issued is
/// 401 Unauthorized, as on a real cluster (staging/src/k8s.io/apiserver/pkg/endpoints/filters/authentication.go).
/// A request with no credentials at all stays admin, as it always was here (a real cluster would call it
/// system:anonymous): in-process tooling that talks to the simulator without a kubeconfig keeps working.
/// </summary>
internal sealed class Authentication
{
    public const string AdminToken = "twisterlab-sim-token";

    public UserInfo Authenticate(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header)) return UserInfo.Admin;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header[7..].Trim() == AdminToken) return UserInfo.Admin;
        throw new ApiException(401, "Unauthorized", "Unauthorized");
    }

    /// <summary>POST of a SelfSubjectReview or SelfSubjectAccessReview: the request with its answer in status.</summary>
    public static JsonObject Review(ResourceType type, JsonObject body, UserInfo user)
    {
        var review = Json.Clone(body);
        review["apiVersion"] = type.ApiVersion;
        review["kind"] = type.Kind;
        review["metadata"] = new JsonObject { ["creationTimestamp"] = null };
        if (type == ResourceCatalog.SelfSubjectReviews)
            review["status"] = new JsonObject
            {
                ["userInfo"] = new JsonObject
                {
                    ["username"] = user.Name,
                    ["groups"] = new JsonArray(user.Groups.Select(g => (JsonNode)g).ToArray()),
                },
            };
        else
            // The admin is bound to cluster-admin: every attribute is allowed.
            review["status"] = new JsonObject { ["allowed"] = true };
        return review;
    }
}
