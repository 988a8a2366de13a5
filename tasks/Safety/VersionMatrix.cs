using System.Text;
using System.Text.RegularExpressions;

namespace TwisterLab.Cake.Safety;

public enum VersionVerdict
{
    Recommended,
    BelowRecommended,
    BelowMinimum,
    Unknown,
}

public sealed record ComponentRequirement(string Component, string Current, Version Minimum, Version Recommended);

public sealed record VersionFinding(ComponentRequirement Requirement, string? Found, VersionVerdict Verdict);

/// <summary>The guide's version compatibility matrix, checked against the versions a preflight finds.</summary>
public static partial class VersionMatrix
{
    public static IReadOnlyList<ComponentRequirement> Guide { get; } =
    [
        new("Python", "3.11+", new(3, 11), new(3, 12)),
        new("PostgreSQL", "15+", new(13, 0), new(16, 0)),
        new("Kubernetes", "1.28+", new(1, 25), new(1, 29)),
        new("Redis", "7.0+", new(6, 2), new(7, 2)),
        new("Docker", "24.0+", new(20, 10), new(25, 0)),
    ];

    public static ComponentRequirement Requirement(string component) =>
        Guide.Single(requirement => requirement.Component == component);

    /// <summary>Below the minimum fails the preflight; below the recommendation only warns.</summary>
    public static VersionFinding Check(string component, string? reported)
    {
        var requirement = Requirement(component);
        var version = Parse(reported);
        var verdict = version is null ? VersionVerdict.Unknown
            : version < requirement.Minimum ? VersionVerdict.BelowMinimum
            : version < requirement.Recommended ? VersionVerdict.BelowRecommended
            : VersionVerdict.Recommended;
        return new VersionFinding(requirement, version?.ToString(), verdict);
    }

    /// <summary>The first dotted number in what a tool printed: "PostgreSQL 15.18 (Debian…)", "v1.32.4", "Python 3.11.7".</summary>
    public static Version? Parse(string? reported)
    {
        if (reported is null || FirstVersion().Match(reported) is not { Success: true } match)
        {
            return null;
        }

        var parts = match.Value.Split('.').Select(int.Parse).ToArray();
        return parts.Length == 1 ? new Version(parts[0], 0) : new Version(parts[0], parts[1], parts.Length > 2 ? parts[2] : 0);
    }

    /// <summary>The guide's table, with what was found and the verdict.</summary>
    public static string Render(IEnumerable<VersionFinding> findings)
    {
        var text = new StringBuilder();
        text.AppendLine("| Component | Current | Min Required | Recommended | Found | Verdict |");
        text.AppendLine("|-----------|---------|--------------|-------------|-------|---------|");
        foreach (var finding in findings)
        {
            var requirement = finding.Requirement;
            text.AppendLine($"| {requirement.Component} | {requirement.Current} | {Short(requirement.Minimum)} | {Short(requirement.Recommended)} | {finding.Found ?? "?"} | {Describe(finding.Verdict)} |");
        }

        return text.ToString();
    }

    private static string Describe(VersionVerdict verdict) => verdict switch
    {
        VersionVerdict.Recommended => "ok",
        VersionVerdict.BelowRecommended => "warning: below recommended",
        VersionVerdict.BelowMinimum => "FAIL: below minimum",
        _ => "unknown",
    };

    private static string Short(Version version) => $"{version.Major}.{version.Minor}";

    [GeneratedRegex(@"\d+(\.\d+){0,2}")]
    private static partial Regex FirstVersion();
}
