using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Http;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Api;

/// <summary>Who a request comes from, as the apiserver's authenticators would tell.</summary>
internal sealed record UserInfo(string Name, IReadOnlyList<string> Groups, string? Uid = null)
{
    /// <summary>The apiserver's privileged group: its members pass every authorization check without RBAC.</summary>
    public const string Masters = "system:masters";

    /// <summary>
    /// kind's admin: what the simulator's own kubeconfig token authenticates as. kind binds its group to cluster-admin
    /// (the ClusterRoleBinding kubeadm:cluster-admins, which the simulator stores too); it is let through without
    /// evaluating RBAC, as system:masters would be, so that the simulator's own callers never depend on stored objects.
    /// </summary>
    public static readonly UserInfo Admin = new("kubernetes-admin", ["kubeadm:cluster-admins", "system:authenticated"]);

    public bool IsPrivileged => ReferenceEquals(this, Admin) || Groups.Contains(Masters);
}

/// <summary>
/// Authentication as the apiserver's authenticators do it: bearer tokens (the admin's, tokens registered with
/// <see cref="AddToken"/>, and ServiceAccount tokens issued through serviceaccounts/token), and, over HTTPS, client
/// certificates signed by the simulator's CA (CN = user, O = groups, as kubeadm's certificates are read). A token nobody
/// issued is 401 Unauthorized (staging/src/k8s.io/apiserver/pkg/endpoints/filters/authentication.go). A request with no
/// credentials at all stays admin, as it always was here (a real cluster would call it system:anonymous): in-process
/// tooling that talks to the simulator without a kubeconfig keeps working.
/// </summary>
internal sealed class Authentication(ObjectStore store, TlsIdentity? tls)
{
    public const string AdminToken = "twisterlab-sim-token";

    readonly ConcurrentDictionary<string, UserInfo> tokens = new();
    readonly ConcurrentDictionary<string, ServiceAccountToken> serviceAccountTokens = new();

    sealed record ServiceAccountToken(string Namespace, string Name, string Uid, DateTimeOffset Expires);

    public UserInfo Authenticate(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return FromToken(header[7..].Trim());
        if (http.Connection.ClientCertificate is { } certificate) return FromCertificate(certificate);
        if (string.IsNullOrEmpty(header)) return UserInfo.Admin;
        throw Unauthorized();
    }

    static ApiException Unauthorized() => new(401, "Unauthorized", "Unauthorized");

    UserInfo FromToken(string token)
    {
        if (token == AdminToken) return UserInfo.Admin;
        if (tokens.TryGetValue(token, out var user)) return user;
        if (serviceAccountTokens.TryGetValue(token, out var bound))
        {
            // A bound token dies with its ServiceAccount (a new one of the same name has another uid) and at expiry.
            var account = store.Get(ResourceCatalog.ServiceAccounts, bound.Namespace, bound.Name);
            if (account is not null && Json.Str(account, "metadata", "uid") == bound.Uid && bound.Expires > DateTimeOffset.UtcNow)
                return ServiceAccountUser(bound.Namespace, bound.Name, bound.Uid);
        }
        throw Unauthorized();
    }

    /// <summary>The user a ServiceAccount token authenticates as (pkg/serviceaccount/util.go UserInfo).</summary>
    public static UserInfo ServiceAccountUser(string ns, string name, string? uid) =>
        new($"system:serviceaccount:{ns}:{name}", ["system:serviceaccounts", $"system:serviceaccounts:{ns}", "system:authenticated"], uid);

    UserInfo FromCertificate(X509Certificate2 certificate)
    {
        if (tls is null || !tls.IssuedByCa(certificate)) throw Unauthorized();
        var name = certificate.GetNameInfo(X509NameType.SimpleName, false);
        var groups = OrganizationsOf(certificate).Append("system:authenticated").Distinct().ToList();
        return new UserInfo(name, groups);
    }

    static IEnumerable<string> OrganizationsOf(X509Certificate2 certificate) =>
        certificate.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(rdn => rdn.GetSingleElementType().Value == "2.5.4.10")
            .Select(rdn => rdn.GetSingleElementValue() ?? "");

    /// <summary>Registers a static bearer token (as --token-auth-file would), for tests and sandboxes.</summary>
    public void AddToken(string token, UserInfo user) => tokens[token] = user;

    /// <summary>
    /// POST serviceaccounts/{name}/token (what `kubectl create token` sends): a token bound to the ServiceAccount's uid.
    /// The TokenRequest body is not read (kubectl sends it in protobuf); the default lifetime is one hour, as upstream.
    /// </summary>
    public string IssueServiceAccountToken(string ns, string name, TimeSpan lifetime)
    {
        var account = store.Get(ResourceCatalog.ServiceAccounts, ns, name) ?? throw ApiException.NotFound(ResourceCatalog.ServiceAccounts, name);
        var token = "kubesim-sa." + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        serviceAccountTokens[token] = new ServiceAccountToken(ns, name, Json.Str(account, "metadata", "uid") ?? "", DateTimeOffset.UtcNow + lifetime);
        return token;
    }
}
