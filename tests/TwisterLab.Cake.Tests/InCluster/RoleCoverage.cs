using k8s;
using k8s.Models;

namespace TwisterLab.Cake.Tests.InCluster;

/// <summary>One line of the rehearsal's api-calls.tsv: a kind of call the tool made, as the API server's authorizer saw it.</summary>
public sealed record RecordedCall(string Verb, string Group, string Resource, string Subresource, string Namespace)
{
    public string CombinedResource => Subresource.Length == 0 ? Resource : $"{Resource}/{Subresource}";

    public override string ToString() =>
        $"{Verb} {(Group.Length == 0 ? "core" : Group)}/{CombinedResource} {(Namespace.Length == 0 ? "at the cluster scope" : "in " + Namespace)}";

    /// <summary>The resource calls of api-calls.tsv (non-resource URLs such as /version are every user's through system:discovery).</summary>
    public static IReadOnlyList<RecordedCall> Read(string path) =>
        File.ReadAllLines(path).Select(line => line.Split('\t')).Where(cells => cells.Length == 5)
            .Select(cells => new RecordedCall(cells[0], cells[1], cells[2], cells[3], cells[4])).ToList();
}

/// <summary>
/// Compares examples/in-cluster/rbac.yaml with the calls a rehearsal of every chain made: a call no rule grants is
/// missing; a (verb, resource) a rule grants that no call used is too much. Role rules count for calls in the tool's
/// namespace only.
/// </summary>
public static class RoleCoverage
{
    /// <summary>
    /// Calls a v1.32 server authorizes with one verb and newer servers with two: from Kubernetes 1.35 the exec WebSocket
    /// (a GET, "get pods/exec") also needs "create" (KEP 4006, gate AuthorizePodWebsocketUpgradeCreatePermission). The
    /// Role grants both, so the Job keeps working after ClusterUpgrade takes the cluster there.
    /// </summary>
    private static readonly Dictionary<(string Verb, string Resource), string> AlsoNeeds = new() { [("get", "pods/exec")] = "create" };

    /// <summary>
    /// Grants the rehearsal cannot use: its world runs no DaemonSet, so drain never looks one up, while every real node
    /// runs DaemonSet pods (kube-proxy, the CNI) whose owner drain must read.
    /// </summary>
    private static readonly HashSet<(string Verb, string Group, string Resource)> BeyondTheRehearsal = [("get", "apps", "daemonsets")];

    public static IReadOnlyList<string> Problems(IReadOnlyList<RecordedCall> calls, string rbacYaml, string toolNamespace)
    {
        var documents = KubernetesYaml.LoadAllFromString(rbacYaml);
        var roleRules = documents.OfType<V1Role>().SelectMany(role => role.Rules).ToList();
        var clusterRules = documents.OfType<V1ClusterRole>().SelectMany(role => role.Rules).ToList();
        var needed = calls.Concat(calls.Where(call => AlsoNeeds.ContainsKey((call.Verb, call.CombinedResource)))
            .Select(call => call with { Verb = AlsoNeeds[(call.Verb, call.CombinedResource)] })).Distinct().ToList();

        var problems = new List<string>();
        foreach (var call in needed)
        {
            var granted = clusterRules.Any(rule => Grants(rule, call)) || (call.Namespace == toolNamespace && roleRules.Any(rule => Grants(rule, call)));
            if (!granted) problems.Add($"missing: the tool used {call}, which rbac.yaml does not grant");
        }

        foreach (var (rule, kind) in roleRules.Select(rule => (rule, "Role")).Concat(clusterRules.Select(rule => (rule, "ClusterRole"))))
        {
            foreach (var verb in rule.Verbs)
            foreach (var group in rule.ApiGroups)
            foreach (var resource in rule.Resources)
            {
                var single = new V1PolicyRule { Verbs = [verb], ApiGroups = [group], Resources = [resource], ResourceNames = rule.ResourceNames };
                // A ClusterRole rule may be used in the tool's namespace only: the rehearsal drains nodes whose pods all live
                // there, a real cluster's nodes carry pods of every namespace.
                var used = BeyondTheRehearsal.Contains((verb, group, resource)) && kind == "ClusterRole"
                    || needed.Any(call => Grants(single, call) && (kind == "ClusterRole" || call.Namespace == toolNamespace));
                if (!used) problems.Add($"never used: the {kind} grants {verb} {(group.Length == 0 ? "core" : group)}/{resource}, which no chain of the rehearsal did");
            }
        }

        return problems;
    }

    /// <summary>RBAC's rule match (pkg/apis/rbac/v1/evaluation_helpers.go); a Namespace object's name is its namespace.</summary>
    private static bool Grants(V1PolicyRule rule, RecordedCall call)
    {
        static bool Any(IList<string>? values, string value) => values?.Any(v => v == "*" || v == value) ?? false;
        if (!Any(rule.Verbs, call.Verb) || !Any(rule.ApiGroups, call.Group))
        {
            return false;
        }

        if (!(rule.Resources?.Any(r => r == "*" || r == call.CombinedResource || (call.Subresource.Length > 0 && r == "*/" + call.Subresource)) ?? false))
        {
            return false;
        }

        var name = call.Resource == "namespaces" ? call.Namespace : "";
        return rule.ResourceNames is not { Count: > 0 } names || names.Contains(name);
    }
}
