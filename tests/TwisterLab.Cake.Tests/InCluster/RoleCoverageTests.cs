namespace TwisterLab.Cake.Tests.InCluster;

/// <summary>The comparison RehearseTests runs on the Role, on calls written here: it reports both ways of being wrong.</summary>
public sealed class RoleCoverageTests
{
    private const string Rbac = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: r, namespace: app}
        rules:
        - apiGroups: ["apps"]
          resources: ["deployments", "deployments/scale"]
          verbs: ["get", "patch"]
        - apiGroups: [""]
          resources: ["pods/exec"]
          verbs: ["get", "create"]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: c}
        rules:
        - apiGroups: [""]
          resources: ["namespaces"]
          resourceNames: ["kube-system"]
          verbs: ["get"]
        """;

    private static readonly RecordedCall[] Used =
    [
        new("get", "apps", "deployments", "", "app"), new("patch", "apps", "deployments", "", "app"),
        new("get", "apps", "deployments", "scale", "app"), new("patch", "apps", "deployments", "scale", "app"),
        new("get", "", "pods", "exec", "app"), new("get", "", "namespaces", "", "kube-system"),
    ];

    [Fact]
    public void A_role_that_grants_exactly_what_was_used_has_no_problem() =>
        Assert.Empty(RoleCoverage.Problems(Used, Rbac, "app"));

    [Fact]
    public void A_call_no_rule_grants_and_a_grant_no_call_used_are_both_reported()
    {
        RecordedCall[] calls = [.. Used.Where(call => call.Subresource != "scale" || call.Verb != "patch"), new("delete", "apps", "deployments", "", "app"), new("get", "", "namespaces", "", "other")];

        var problems = RoleCoverage.Problems(calls, Rbac, "app");

        Assert.Equal(3, problems.Count);
        Assert.Contains("missing: the tool used delete apps/deployments in app, which rbac.yaml does not grant", problems);
        Assert.Contains("missing: the tool used get core/namespaces in other, which rbac.yaml does not grant", problems);
        Assert.Contains("never used: the Role grants patch apps/deployments/scale, which no chain of the rehearsal did", problems);
    }
}
