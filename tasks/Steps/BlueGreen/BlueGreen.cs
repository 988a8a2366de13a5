using System.Text.RegularExpressions;
using TwisterLab.Cake.Context;

namespace TwisterLab.Cake.Steps.BlueGreen;

/// <summary>The names and labels a blue-green deployment works with: blue is the live deployment, green its new twin.</summary>
public static partial class BlueGreen
{
    public const string VersionLabel = "version";

    /// <summary>The green deployment's name: the application's, with the version (made a valid name), e.g. twisterlab-api-v2-0.</summary>
    public static string GreenName(DeployContext context) =>
        $"{context.App}-{NotNameCharacters().Replace((context.Settings.ImageTag ?? "new").ToLowerInvariant(), "-").Trim('-')}";

    public static string GreenVersion(DeployContext context) => context.Settings.ImageTag ?? "<image-tag>";

    /// <summary>Where DeployGreen writes the green manifest (and the plan shows it), in the run folder.</summary>
    public static string GreenManifest(DeployContext context) =>
        Path.Combine(context.Runs.FolderOf(context.RunId), GreenName(context) + ".yaml");

    /// <summary>The selector of green's pods: the app labels plus version=&lt;tag&gt;.</summary>
    public static string GreenPods(DeployContext context) => $"app={context.App},{VersionLabel}={GreenVersion(context)}";

    [GeneratedRegex("[^a-z0-9-]+")]
    private static partial Regex NotNameCharacters();
}
