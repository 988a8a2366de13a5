namespace TwisterLab.KubeSim.Containers;

/// <summary>
/// A working directory per pod under the simulator's own temporary folder: exec'd commands and run-to-completion
/// containers start there (as a container starts in its own filesystem), so relative paths never touch the
/// simulator's working directory. The folder goes with the pod and the whole tree with the cluster.
/// </summary>
internal sealed class PodSandboxes : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("kubesim-pods-").FullName;

    public string Root => root;

    public string For(string ns, string pod, string uid)
    {
        var path = Path.Combine(root, $"{ns}_{pod}_{uid[..Math.Min(8, uid.Length)]}");
        Directory.CreateDirectory(path);
        return path;
    }

    public void Remove(string uid)
    {
        var suffix = "_" + uid[..Math.Min(8, uid.Length)];
        foreach (var dir in Directory.Exists(root) ? Directory.GetDirectories(root).Where(d => d.EndsWith(suffix)) : [])
        {
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
