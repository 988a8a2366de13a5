using System.Text.Json.Nodes;
using TwisterLab.KubeSim.Api;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Containers;

/// <summary>
/// The container's view of its configMap volumes, written into the pod's folder as the kubelet would project them:
/// a mount with <c>subPath</c> is one file at the mount path (beside what the image has there), a mount without is a
/// folder with one file per key (or per <c>items</c> entry). The image's own files are not simulated; a command that
/// reads a mount finds it at <c>&lt;pod folder&gt;/&lt;mount path&gt;</c>. Secrets and other volume kinds are not projected.
/// </summary>
internal static class ConfigMapFiles
{
    public static void Write(ObjectStore store, JsonObject pod, JsonObject container, string podFolder)
    {
        var ns = Json.Str(pod, "metadata", "namespace");
        var volumes = (Json.Walk(pod, "spec", "volumes") as JsonArray ?? []).OfType<JsonObject>().ToList();
        foreach (var mount in (container["volumeMounts"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var volume = volumes.FirstOrDefault(v => Json.Str(v, "name") == Json.Str(mount, "name"));
            if (Json.Str(volume, "configMap", "name") is not { } name || Json.Str(mount, "mountPath") is not { } mountPath)
            {
                continue;
            }

            var data = LabelSelector.StringMap(store.Get(ResourceCatalog.ConfigMaps, ns, name)?["data"]);
            var files = (Json.Walk(volume, "configMap", "items") as JsonArray)?.OfType<JsonObject>()
                .Select(item => (Key: Json.Str(item, "key") ?? "", Path: Json.Str(item, "path") ?? Json.Str(item, "key") ?? ""))
                .ToList() ?? data.Keys.Select(key => (Key: key, Path: key)).ToList();
            if (Json.Str(mount, "subPath") is { Length: > 0 } subPath)
            {
                var file = files.FirstOrDefault(f => f.Path == subPath);
                if (file.Key is not null && data.TryGetValue(file.Key, out var content))
                {
                    WriteInside(podFolder, mountPath, content);
                }

                continue;
            }

            foreach (var (key, path) in files.Where(f => data.ContainsKey(f.Key)))
            {
                WriteInside(podFolder, mountPath.TrimEnd('/') + "/" + path, data[key]);
            }
        }
    }

    // A mount path is absolute inside the container: here it is rooted in the pod's folder and may not leave it.
    static void WriteInside(string podFolder, string containerPath, string content)
    {
        var root = Path.GetFullPath(podFolder) + Path.DirectorySeparatorChar;
        var path = Path.GetFullPath(Path.Combine(podFolder, containerPath.TrimStart('/')));
        if (!path.StartsWith(root, StringComparison.Ordinal))
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
