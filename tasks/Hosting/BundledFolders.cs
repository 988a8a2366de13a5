namespace TwisterLab.Cake.Hosting;

/// <summary>
/// The folders a run reads by default (k8s/ manifests, environments/ profiles, rehearsal/ assets): the working
/// directory's own when it has one, else the copy the twisterlab tool carries next to itself. So the tool works in an
/// empty folder, and a project's own k8s/ or environments/ overrides the tool's.
/// </summary>
public static class BundledFolders
{
    public const string Manifests = "k8s";
    public const string Profiles = "environments";
    public const string Rehearsal = "rehearsal";

    /// <summary>The tool's own folder (a build host built from the repository has none of the three beside it).</summary>
    public static string ToolDirectory { get; set; } = AppContext.BaseDirectory;

    /// <summary><paramref name="workingDirectory"/>/<paramref name="name"/> when it exists, else the tool's copy when that exists, else the former.</summary>
    public static string Resolve(string workingDirectory, string name)
    {
        var own = Path.GetFullPath(name, workingDirectory);
        var bundled = Path.Combine(ToolDirectory, name);
        return !Directory.Exists(own) && Directory.Exists(bundled) ? bundled : own;
    }

    /// <summary>The folder that holds all of <paramref name="names"/>: the working directory first, then the tool's.</summary>
    public static string RootWith(string workingDirectory, params string[] names) =>
        names.All(name => Directory.Exists(Path.Combine(workingDirectory, name))) || !names.All(name => Directory.Exists(Path.Combine(ToolDirectory, name)))
            ? workingDirectory
            : ToolDirectory;
}
