using System.Reflection;

namespace TwisterLab.Cake.Context;

/// <summary>
/// Which build of the tool wrote a report: the assembly's informational version as the build stamped it
/// ("2.1.0+&lt;commit&gt;" with MinVer or the SDK's source revision). Read from the assembly, never from git at run
/// time: an installed tool has no repository around it.
/// </summary>
public sealed record ToolVersion(string Name, string Version, string? Commit)
{
    public const string Unknown = "0.0.0-dev";

    public static ToolVersion Current { get; } = Of(typeof(ToolVersion).Assembly);

    public static ToolVersion Of(Assembly assembly) =>
        Parse(assembly.GetName().Name ?? "TwisterLab.Cake", assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);

    public static ToolVersion Parse(string name, string? informational)
    {
        if (string.IsNullOrWhiteSpace(informational))
        {
            return new ToolVersion(name, Unknown, null);
        }

        var plus = informational.IndexOf('+');
        if (plus < 0)
        {
            return new ToolVersion(name, informational, null);
        }

        // Build metadata may carry more than the commit ("abc123.dirty"): the commit is its first hex run.
        var metadata = informational[(plus + 1)..].Split('.')[0];
        var commit = metadata.Length >= 7 && metadata.All(Uri.IsHexDigit) ? metadata : null;
        return new ToolVersion(name, informational[..plus], commit);
    }
}
