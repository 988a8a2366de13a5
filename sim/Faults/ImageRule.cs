using System.Text.RegularExpressions;

namespace TwisterLab.KubeSim;

/// <summary>What the simulated kubelet does with the containers of an image.</summary>
public enum ImageBehavior
{
    /// <summary>Pulled, started, Ready after the pod start delay (plus the rule's readiness delay).</summary>
    Healthy,
    /// <summary>Running but the readiness probe never passes: Ready=False forever.</summary>
    NeverReady,
    /// <summary>Exits with code 1 again and again: waiting CrashLoopBackOff, restartCount rising.</summary>
    CrashLoop,
    /// <summary>The image cannot be pulled: waiting ErrImagePull, then ImagePullBackOff; the pod stays Pending.</summary>
    Unpullable,
}

/// <summary>A rule for images matching a glob (<c>*</c> and <c>?</c>), e.g. <c>twisterlab-api:bad*</c> or <c>postgres:*</c>.</summary>
public sealed record ImageRule(string ImagePattern, ImageBehavior Behavior, TimeSpan ReadinessDelay = default)
{
    public bool Matches(string image) => Glob.IsMatch(ImagePattern, image);
}

internal static class Glob
{
    public static bool IsMatch(string pattern, string text) =>
        Regex.IsMatch(text, "^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$");
}
