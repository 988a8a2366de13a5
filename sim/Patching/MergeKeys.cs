namespace TwisterLab.KubeSim.Patching;

/// <summary>
/// The patchMergeKey tags of the built-in types we serve (api@release-1.32 core/v1, apps/v1, meta/v1). Lists without
/// a merge key are replaced wholesale by strategic merge patch and are atomic for server-side apply.
/// </summary>
internal static class MergeKeys
{
    static readonly Dictionary<string, string> ByField = new()
    {
        ["containers"] = "name",
        ["initContainers"] = "name",
        ["ephemeralContainers"] = "name",
        ["volumes"] = "name",
        ["imagePullSecrets"] = "name",
        ["env"] = "name",
        ["schedulingGates"] = "name",
        ["resourceClaims"] = "name",
        ["volumeMounts"] = "mountPath",
        ["volumeDevices"] = "devicePath",
        ["hostAliases"] = "ip",
        ["topologySpreadConstraints"] = "topologyKey",
        ["conditions"] = "type",
        ["ownerReferences"] = "uid",
    };

    static readonly HashSet<string> ContainerLists = ["containers", "initContainers", "ephemeralContainers"];

    /// <summary>The merge key of list <paramref name="field"/> reached through <paramref name="path"/>, or null.</summary>
    public static string? For(IReadOnlyList<string> path, string field)
    {
        if (field == "ports")
            return path.Any(ContainerLists.Contains) ? "containerPort" : "port";
        return ByField.GetValueOrDefault(field);
    }

    /// <summary>Primitive lists merged as sets (patchStrategy merge on a []string).</summary>
    public static bool IsSetOfPrimitives(string field) => field == "finalizers";
}
