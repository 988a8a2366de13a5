using TwisterLab.Cake.Context;

namespace TwisterLab.Cake.Lifetime;

/// <summary>Log groups and the job summary, when running under GitHub Actions (and nothing otherwise).</summary>
internal static class GitHubActions
{
    private static bool Active => Environment.GetEnvironmentVariable("GITHUB_ACTIONS") == "true";

    public static void BeginGroup(string name)
    {
        if (Active)
        {
            Console.WriteLine($"::group::{name}");
        }
    }

    public static void EndGroup()
    {
        if (Active)
        {
            Console.WriteLine("::endgroup::");
        }
    }

    public static void AppendSummary(RunReport report)
    {
        if (Active && Environment.GetEnvironmentVariable("GITHUB_STEP_SUMMARY") is { Length: > 0 } path)
        {
            File.AppendAllText(path, report.ToMarkdown() + Environment.NewLine);
        }
    }
}
