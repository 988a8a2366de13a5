using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Api;

/// <summary>The validation rules our clients can run into (422 Invalid with field causes). Not the full upstream set.</summary>
internal static partial class Validation
{
    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Dns1123Subdomain();

    public static void Check(ResourceType type, JsonObject obj, JsonObject? old)
    {
        // A generated name is the prefix plus five safe characters: check it as such before the store picks them.
        var name = Json.Str(obj, "metadata", "name") is { Length: > 0 } given ? given : (Json.Str(obj, "metadata", "generateName") ?? "") + "x2x2x";
        var causes = new List<(string, string)>();
        // RBAC objects are named as path segments (pkg/apis/rbac/validation ValidateRBACName), so system:discovery is valid.
        if (type.Group == "rbac.authorization.k8s.io")
        {
            if (name is "." or ".." || name.Contains('/') || name.Contains('%'))
                causes.Add(("metadata.name", $"\"{name}\": may not contain '/' or '%', and may not be '.' or '..'"));
        }
        else if (name.Length > 253 || !Dns1123Subdomain().IsMatch(name))
            causes.Add(("metadata.name", $"\"{name}\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'"));

        switch (type.Kind)
        {
            case "Deployment" or "ReplicaSet" or "DaemonSet" or "StatefulSet":
                CheckWorkload(obj, old, causes);
                break;
            case "Job":
                CheckWorkload(obj, old, causes);
                if (Json.Str(obj, "spec", "template", "spec", "restartPolicy") is not ("Never" or "OnFailure"))
                    causes.Add(("spec.template.spec.restartPolicy", "Required value: valid values: \"OnFailure\", \"Never\""));
                break;
            case "Pod":
                CheckContainers(Json.Walk(obj, "spec") as JsonObject, "spec", causes);
                break;
        }
        if (Json.Long(obj, "spec", "replicas") is < 0)
            causes.Add(("spec.replicas", "must be greater than or equal to 0"));
        if (causes.Count > 0) throw ApiException.Invalid(type, name, causes.ToArray());
    }

    static void CheckWorkload(JsonObject obj, JsonObject? old, List<(string, string)> causes)
    {
        var selector = Json.Walk(obj, "spec", "selector");
        if (selector is not JsonObject s || (s["matchLabels"] is null && s["matchExpressions"] is null))
            causes.Add(("spec.selector", "Required value"));
        else if (!LabelSelector.FromObject(selector).Matches(LabelSelector.StringMap(Json.Walk(obj, "spec", "template", "metadata", "labels"))))
            causes.Add(("spec.template.metadata.labels", "`selector` does not match template `labels`"));
        if (old is not null && !JsonNode.DeepEquals(Json.Prune(Json.Walk(old, "spec", "selector")), Json.Prune(selector)))
            causes.Add(("spec.selector", "field is immutable"));
        CheckContainers(Json.Walk(obj, "spec", "template", "spec") as JsonObject, "spec.template.spec", causes);
    }

    static void CheckContainers(JsonObject? podSpec, string path, List<(string, string)> causes)
    {
        if (podSpec?["containers"] is not JsonArray { Count: > 0 } containers)
        {
            causes.Add(($"{path}.containers", "Required value"));
            return;
        }
        for (var i = 0; i < containers.Count; i++)
        {
            if (string.IsNullOrEmpty(Json.Str(containers[i], "name"))) causes.Add(($"{path}.containers[{i}].name", "Required value"));
            if (string.IsNullOrEmpty(Json.Str(containers[i], "image"))) causes.Add(($"{path}.containers[{i}].image", "Required value"));
        }
    }
}
