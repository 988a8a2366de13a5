using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests;

/// <summary>Where an argument's value comes from: the command line, a file, the environment, in that order.</summary>
public sealed class ArgumentSourcesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("twisterlab-sources-").FullName;

    [Fact]
    public void The_command_line_wins_then_its_file_then_the_environment_then_the_environments_file()
    {
        var secret = Write("url", "postgresql://app:from-file@db:5432/twisterlab\n");
        var environment = new Dictionary<string, string>
        {
            ["TWISTERLAB_IMAGE_TAG"] = "v9.9",
            ["TWISTERLAB_NAMESPACE"] = "from-env",
            ["TWISTERLAB_REDIS_URL_FILE"] = Write("redis", "redis://:pw@cache:6379"),
            ["TWISTERLAB_CONFIRM"] = "true",
            ["TWISTERLAB_CANARY"] = "", // an unset pipeline secret expands to nothing: not a value
            ["TWISTERLAB_TARGET"] = "Rollback", // host options come from the command line only
        };

        var resolved = Resolve(["--target=RollingUpgrade", "--image-tag=v2.0", $"--database-url-file={secret}"], environment);

        Assert.Equal(
            ["--target=RollingUpgrade", "--image-tag=v2.0", "--database-url=postgresql://app:from-file@db:5432/twisterlab",
             "--namespace=from-env", "--confirm=true", "--redis-url=redis://:pw@cache:6379"],
            resolved);
    }

    [Theory]
    [InlineData("--database-url=postgresql://a:b@h/d", "--database-url-file=FILE", "--database-url and --database-url-file are both given")]
    [InlineData("--database-url-file=/nonexistent/url", null, "--database-url-file: cannot read '/nonexistent/url'")]
    [InlineData("--database-url-file=EMPTY", null, "is empty: put the value in it")]
    [InlineData("--database-url-file=", null, "--database-url-file: needs a path")]
    public void A_file_that_cannot_give_the_value_is_refused_by_name(string first, string? second, string expected)
    {
        var file = Write("url", "postgresql://a:b@h/d");
        var empty = Write("empty", "\n");
        string[] arguments = [.. new[] { first, second }.OfType<string>().Select(argument => argument.Replace("=FILE", "=" + file).Replace("=EMPTY", "=" + empty))];

        var refused = Assert.Throws<BadInputException>(() => Resolve(arguments, []));
        Assert.Contains(expected, refused.Message);
        Assert.DoesNotContain("a:b@", refused.Message);
    }

    [Fact]
    public void A_value_and_a_file_in_the_environment_together_are_refused()
    {
        var refused = Assert.Throws<BadInputException>(() => Resolve([], new() { ["TWISTERLAB_DATABASE_URL"] = "x", ["TWISTERLAB_DATABASE_URL_FILE"] = Write("u", "y") }));
        Assert.Equal("TWISTERLAB_DATABASE_URL and TWISTERLAB_DATABASE_URL_FILE are both set: unset one of them.", refused.Message);
    }

    [Fact]
    public void Only_secret_arguments_have_a_file_form()
    {
        // --image-tag-file is no source: it stays as written, and the host refuses it as an unknown argument.
        Assert.Equal(["--image-tag-file=x"], Resolve(["--image-tag-file=x"], []));
    }

    [Fact]
    public void The_outputs_a_later_job_inherits_are_never_read_back_as_arguments()
    {
        var argumentVariables = ArgumentSources.EnvironmentNames().ToHashSet();
        Assert.Empty(CiPipeline.OutputNames.Select(CiPipeline.DotenvName).Where(argumentVariables.Contains));
        Assert.Equal("TWISTERLAB_CLUSTER_ID", CiPipeline.DotenvName("cluster"));
        Assert.Equal("rolled-back", CiPipeline.Outcome(RunOutcome.RolledBack));
    }

    [Fact]
    public void The_early_probes_read_the_value_that_wins_and_nothing_from_a_prefix_or_an_empty_one()
    {
        Assert.Equal("b.db", ArgumentSources.LastValue(["--sqlite-path=a.db", "--target=ImportSqlite", "--sqlite-path=b.db"], DeployArguments.SqlitePath));
        Assert.Null(ArgumentSources.LastValue(["--sqlite-path-file=a", "--sqlite-path"], DeployArguments.SqlitePath));
        Assert.Null(ArgumentSources.LastValue(["--database-url="], DeployArguments.DatabaseUrl));
        Assert.True(HostRunOptions.AsksForPlan(["--target=X", "--WhatIf=true"]));
        Assert.False(HostRunOptions.AsksForPlan(["--target=X", "--dryrun-report=x"]));
    }

    private static string[] Resolve(string[] commandLine, Dictionary<string, string> environment) =>
        ArgumentSources.Resolve(commandLine, DeployArguments.Common, name => environment.GetValueOrDefault(name));

    private string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
