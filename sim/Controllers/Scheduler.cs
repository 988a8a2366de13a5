using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Api;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Controllers;

/// <summary>
/// The default scheduler's decisions that a rehearsal notices, in kube-scheduler's order: filters (node Ready and
/// schedulable, taints, nodeSelector and required node affinity, required pod anti-affinity, DoNotSchedule topology
/// spread), then a score that spreads a workload's pods (the default PodTopologySpread on hostname) and then the
/// total load (LeastAllocated with no requests). One <see cref="Pass"/> sees the pods it placed itself, so the
/// replicas of a new Deployment do not all land on the node that was emptiest when the pass began.
/// </summary>
internal sealed class Scheduler
{
    internal const string HostnameKey = "kubernetes.io/hostname";

    /// <summary>One scheduling pass over a snapshot, updated with every placement it makes.</summary>
    internal sealed class Pass(List<JsonObject> nodes, IEnumerable<JsonObject> pods)
    {
        readonly List<JsonObject> placed = pods.Where(Occupies).ToList();

        /// <summary>Pods bound to a node that hold their place (terminal pods do not).</summary>
        static bool Occupies(JsonObject pod) =>
            !string.IsNullOrEmpty(Json.Str(pod, "spec", "nodeName")) && Json.Str(pod, "status", "phase") is not ("Succeeded" or "Failed");

        public void Placed(JsonObject pod) => placed.Add(pod);

        /// <summary>The chosen node, or null with the scheduler's FailedScheduling message.</summary>
        public (JsonObject? Node, string? Why) Choose(JsonObject pod)
        {
            var reasons = new Dictionary<string, int>();
            var candidates = new List<JsonObject>();
            var eligible = nodes.Where(n => MatchesNodeSelection(pod, n)).ToList();
            foreach (var node in nodes)
            {
                var reason = !NodeStatus.IsReady(node) ? "node(s) were not ready"
                    : Json.Bool(node, "spec", "unschedulable") ? "node(s) were unschedulable"
                    : UntoleratedTaint(pod, node) is { } taint ? $"node(s) had untolerated taint {{{taint}}}"
                    : !MatchesNodeSelection(pod, node) ? "node(s) didn't match Pod's node affinity/selector"
                    : ViolatesAntiAffinity(pod, node) ? "node(s) didn't match pod anti-affinity rules"
                    : ViolatesSpread(pod, node, eligible, hard: true) ? "node(s) didn't match pod topology spread constraints"
                    : null;
                if (reason is null) candidates.Add(node);
                else reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
            }
            if (candidates.Count == 0)
            {
                var detail = string.Join(", ", reasons.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Value} {r.Key}"));
                return (null, $"0/{nodes.Count} nodes are available: {detail}. preemption: 0/{nodes.Count} nodes are available: {nodes.Count} Preemption is not helpful for scheduling.");
            }
            var chosen = candidates
                .OrderBy(n => SoftSkew(pod, n, eligible))
                .ThenBy(n => SameWorkloadOn(pod, n))
                .ThenBy(n => placed.Count(p => OnNode(p, n)))
                .ThenBy(Owners.Name, StringComparer.Ordinal)
                .First();
            return (chosen, null);
        }

        static bool OnNode(JsonObject pod, JsonObject node) => Json.Str(pod, "spec", "nodeName") == Owners.Name(node);

        /// <summary>Pods of the same controller in the same namespace (the default spreading's selector).</summary>
        int SameWorkloadOn(JsonObject pod, JsonObject node)
        {
            var owner = Owners.ControllerUid(pod);
            return placed.Count(p => OnNode(p, node) && Owners.Namespace(p) == Owners.Namespace(pod) &&
                (owner is not null ? Owners.ControllerUid(p) == owner : SameLabels(p, pod)));
        }

        static bool SameLabels(JsonObject a, JsonObject b)
        {
            var la = LabelSelector.Labels(a);
            var lb = LabelSelector.Labels(b);
            return la.Count > 0 && la.Count == lb.Count && la.All(kv => lb.TryGetValue(kv.Key, out var v) && v == kv.Value);
        }

        bool ViolatesAntiAffinity(JsonObject pod, JsonObject node)
        {
            var terms = Json.Walk(pod, "spec", "affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution") as JsonArray;
            foreach (var term in terms?.OfType<JsonObject>() ?? [])
            {
                var selector = LabelSelector.FromObject(term["labelSelector"]);
                var key = Json.Str(term, "topologyKey") ?? HostnameKey;
                var value = NodeLabel(node, key);
                if (value is null) continue;
                if (placed.Any(p => Owners.Namespace(p) == Owners.Namespace(pod) && selector.Matches(p) && !Owners.IsTerminating(p) &&
                                    nodes.FirstOrDefault(n => OnNode(p, n)) is { } other && NodeLabel(other, key) == value))
                    return true;
            }
            return false;
        }

        /// <summary>
        /// topologySpreadConstraints: the skew if the pod went to this node. Domains are the nodes that pass the
        /// pod's node selection (nodeAffinityPolicy Honor); taints are ignored (nodeTaintsPolicy Ignore, the default),
        /// so a tainted control plane counts as an empty domain. Terminating pods are not counted.
        /// </summary>
        bool ViolatesSpread(JsonObject pod, JsonObject node, List<JsonObject> eligible, bool hard) =>
            Constraints(pod, hard).Any(c => Skew(pod, node, eligible, c) > (Json.Long(c, "maxSkew") ?? 1));

        long SoftSkew(JsonObject pod, JsonObject node, List<JsonObject> eligible) =>
            Constraints(pod, hard: false).Sum(c => Math.Max(0, Skew(pod, node, eligible, c)));

        static IEnumerable<JsonObject> Constraints(JsonObject pod, bool hard) =>
            ((Json.Walk(pod, "spec", "topologySpreadConstraints") as JsonArray)?.OfType<JsonObject>() ?? [])
            .Where(c => (Json.Str(c, "whenUnsatisfiable") == "ScheduleAnyway") != hard);

        long Skew(JsonObject pod, JsonObject node, List<JsonObject> eligible, JsonObject constraint)
        {
            var key = Json.Str(constraint, "topologyKey") ?? HostnameKey;
            var selector = LabelSelector.FromObject(constraint["labelSelector"]);
            var counts = new Dictionary<string, long>();
            foreach (var n in eligible)
                if (NodeLabel(n, key) is { } domain) counts.TryAdd(domain, 0);
            foreach (var p in placed)
            {
                if (Owners.Namespace(p) != Owners.Namespace(pod) || Owners.IsTerminating(p) || !selector.Matches(p)) continue;
                if (nodes.FirstOrDefault(n => OnNode(p, n)) is { } n2 && NodeLabel(n2, key) is { } d && counts.ContainsKey(d)) counts[d]++;
            }
            if (NodeLabel(node, key) is not { } mine || counts.Count == 0) return 0;
            var self = selector.Matches(pod) ? 1 : 0;
            return counts.GetValueOrDefault(mine) + self - counts.Values.Min();
        }
    }

    static string? NodeLabel(JsonObject node, string key) => LabelSelector.Labels(node).TryGetValue(key, out var v) ? v : null;

    /// <summary>nodeSelector and required node affinity (any term may match; all expressions of a term must).</summary>
    internal static bool MatchesNodeSelection(JsonObject pod, JsonObject node)
    {
        var labels = LabelSelector.Labels(node);
        foreach (var (key, value) in LabelSelector.StringMap(Json.Walk(pod, "spec", "nodeSelector")))
            if (!labels.TryGetValue(key, out var actual) || actual != value) return false;
        var terms = Json.Walk(pod, "spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms") as JsonArray;
        if (terms is null || terms.Count == 0) return true;
        return terms.OfType<JsonObject>().Any(term =>
            ((term["matchExpressions"] as JsonArray)?.OfType<JsonObject>() ?? []).All(e =>
                new LabelRequirement(Json.Str(e, "key") ?? "", Json.Str(e, "operator") ?? "",
                    (e["values"] as JsonArray)?.Select(v => v?.ToString() ?? "").ToArray() ?? []).Matches(labels)));
    }

    /// <summary>The first NoSchedule/NoExecute taint the pod does not tolerate, as "key: value", or null.</summary>
    internal static string? UntoleratedTaint(JsonObject pod, JsonObject node)
    {
        var tolerations = (Json.Walk(pod, "spec", "tolerations") as JsonArray)?.OfType<JsonObject>().ToList() ?? [];
        foreach (var taint in (Json.Walk(node, "spec", "taints") as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            var effect = Json.Str(taint, "effect");
            if (effect is not ("NoSchedule" or "NoExecute")) continue;
            var key = Json.Str(taint, "key");
            var tolerated = tolerations.Any(t =>
                (Json.Str(t, "effect") is not { Length: > 0 } e || e == effect) &&
                (Json.Str(t, "operator") == "Exists"
                    ? Json.Str(t, "key") is not { Length: > 0 } k || k == key
                    : Json.Str(t, "key") == key && (Json.Str(t, "value") ?? "") == (Json.Str(taint, "value") ?? "")));
            if (!tolerated) return $"{key}: {Json.Str(taint, "value")}";
        }
        return null;
    }
}
