using System.Text;
using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Controllers;

/// <summary>The pure calculations of kubernetes pkg/controller/deployment/util (fenceposts, hashes, template equality).</summary>
internal static class DeploymentMath
{
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    public const string RevisionHistoryAnnotation = "deployment.kubernetes.io/revision-history";
    public const string DesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
    public const string MaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";
    public const string HashLabel = "pod-template-hash";

    /// <summary>Deployment annotations that are not copied to its ReplicaSets (annotationsToSkip).</summary>
    public static readonly HashSet<string> SkippedAnnotations =
    [
        "kubectl.kubernetes.io/last-applied-configuration", RevisionAnnotation, RevisionHistoryAnnotation,
        DesiredReplicasAnnotation, MaxReplicasAnnotation, "deprecated.deployment.rollback.to",
    ];

    static int Resolve(JsonNode? value, int total, bool roundUp)
    {
        if (value is null) return 0;
        var text = value.ToString();
        if (text.EndsWith('%') && int.TryParse(text[..^1], out var percent))
        {
            var exact = percent * total / 100.0;
            return roundUp ? (int)Math.Ceiling(exact) : (int)Math.Floor(exact);
        }
        return int.TryParse(text, out var n) ? n : 0;
    }

    static bool IsRolling(JsonObject d) => Json.Str(d, "spec", "strategy", "type") != "Recreate";

    static int Replicas(JsonObject d) => Json.Int(d, 1, "spec", "replicas");

    /// <summary>ResolveFenceposts: surge rounds up, unavailability rounds down, and both 0 means 1 unavailable.</summary>
    public static (int MaxSurge, int MaxUnavailable) Fenceposts(JsonObject d)
    {
        if (!IsRolling(d)) return (0, 0);
        var replicas = Replicas(d);
        var surge = Resolve(Json.Walk(d, "spec", "strategy", "rollingUpdate", "maxSurge"), replicas, true);
        var unavailable = Resolve(Json.Walk(d, "spec", "strategy", "rollingUpdate", "maxUnavailable"), replicas, false);
        if (surge == 0 && unavailable == 0) unavailable = 1;
        return (surge, unavailable);
    }

    public static int MaxSurge(JsonObject d) => IsRolling(d) ? Fenceposts(d).MaxSurge : 0;

    public static int MaxUnavailable(JsonObject d)
    {
        var replicas = Replicas(d);
        if (!IsRolling(d) || replicas == 0) return 0;
        return Math.Min(Fenceposts(d).MaxUnavailable, replicas);
    }

    /// <summary>The template without its pod-template-hash label, pruned of empty values: what EqualIgnoreHash compares.</summary>
    public static JsonNode? Canonical(JsonNode? template)
    {
        var copy = template?.DeepClone() as JsonObject ?? new JsonObject();
        (Json.Walk(copy, "metadata", "labels") as JsonObject)?.Remove(HashLabel);
        (copy["metadata"] as JsonObject)?.Remove("creationTimestamp");
        return Json.Prune(copy);
    }

    public static bool EqualIgnoreHash(JsonNode? a, JsonNode? b) => JsonNode.DeepEquals(Canonical(a), Canonical(b));

    /// <summary>
    /// ComputeHash: FNV-32a over the template and the collision count, written with the alphabet of
    /// rand.SafeEncodeString. The value differs from Go's (which hashes a spew dump); nothing depends on it.
    /// </summary>
    public static string PodTemplateHash(JsonNode? template, long collisionCount)
    {
        var bytes = Encoding.UTF8.GetBytes(Json.Serialize(Canonical(template)) + (collisionCount > 0 ? collisionCount.ToString() : ""));
        uint hash = 2166136261;
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= 16777619;
        }
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        return new string(hash.ToString().Select(c => alphabet[c % alphabet.Length]).ToArray());
    }

    public static long Revision(JsonObject rs) =>
        long.TryParse(Json.Str(rs, "metadata", "annotations", RevisionAnnotation), out var r) ? r : 0;
}
