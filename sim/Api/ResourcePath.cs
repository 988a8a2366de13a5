namespace TwisterLab.KubeSim.Api;

/// <summary>A parsed resource URL: /api/v1/[namespaces/{ns}/]{plural}[/{name}[/{subresource}]] and the /apis/{group}/{version} form.</summary>
internal sealed record ResourcePath(ResourceType Type, string? Namespace, string? Name, string? Subresource)
{
    public static ResourcePath? Parse(string path)
    {
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        string group, version;
        int rest;
        if (segments.Length >= 3 && segments[0] == "api") { group = ""; version = segments[1]; rest = 2; }
        else if (segments.Length >= 4 && segments[0] == "apis") { group = segments[1]; version = segments[2]; rest = 3; }
        else return null;

        var tail = segments[rest..];
        // namespaces/{ns}/{plural}/... is namespaced; namespaces/{name}[/{sub}] is the Namespace object itself.
        if (tail.Length >= 3 && tail[0] == "namespaces" && ResourceCatalog.Find(group, version, tail[2]) is { Namespaced: true } namespaced)
            return tail.Length <= 5 ? new ResourcePath(namespaced, tail[1], At(tail, 3), At(tail, 4)) : null;
        var type = ResourceCatalog.Find(group, version, tail[0]);
        if (type is null || tail.Length > 3) return null;
        return new ResourcePath(type, null, At(tail, 1), At(tail, 2));
    }

    static string? At(string[] a, int i) => i < a.Length ? Uri.UnescapeDataString(a[i]) : null;
}
