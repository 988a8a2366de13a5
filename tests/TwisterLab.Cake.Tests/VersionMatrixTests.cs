using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake.Tests;

public sealed class VersionMatrixTests
{
    [Theory]
    [InlineData("PostgreSQL", "PostgreSQL 15.18 (Debian 15.18-0+deb12u1)", VersionVerdict.BelowRecommended)]
    [InlineData("PostgreSQL", "16.4", VersionVerdict.Recommended)]
    [InlineData("PostgreSQL", "12.9", VersionVerdict.BelowMinimum)]
    [InlineData("Kubernetes", "v1.32.4", VersionVerdict.Recommended)]
    [InlineData("Kubernetes", "v1.28.2", VersionVerdict.BelowRecommended)]
    [InlineData("Kubernetes", "v1.24.0", VersionVerdict.BelowMinimum)]
    [InlineData("Redis", "7.0.15", VersionVerdict.BelowRecommended)]
    [InlineData("Redis", "6.0.16", VersionVerdict.BelowMinimum)]
    [InlineData("Python", "Python 3.12.1", VersionVerdict.Recommended)]
    [InlineData("Python", "Python 3.10.13", VersionVerdict.BelowMinimum)]
    [InlineData("Docker", "Docker version 28.2.2, build e6534b4", VersionVerdict.Recommended)]
    [InlineData("Docker", "Docker version 20.10.7", VersionVerdict.BelowRecommended)]
    [InlineData("Redis", "no version here", VersionVerdict.Unknown)]
    [InlineData("Redis", null, VersionVerdict.Unknown)]
    public void Compares_what_was_found_with_the_guide(string component, string? reported, VersionVerdict expected) =>
        Assert.Equal(expected, VersionMatrix.Check(component, reported).Verdict);

    [Fact]
    public void Renders_the_guide_table_with_the_found_versions()
    {
        var table = VersionMatrix.Render([VersionMatrix.Check("PostgreSQL", "15.18"), VersionMatrix.Check("Kubernetes", "v1.24.1")]);

        Assert.Contains("| PostgreSQL | 15+ | 13.0 | 16.0 | 15.18.0 | warning: below recommended |", table);
        Assert.Contains("| Kubernetes | 1.28+ | 1.25 | 1.29 | 1.24.1 | FAIL: below minimum |", table);
    }
}
