using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests;

/// <summary>Bad input gets one line naming the problem, exit code 2, and nothing started.</summary>
[Collection(HostCollection.Name)]
public sealed class BadInputTests
{
    [Theory]
    [InlineData("--target=DemoChian", "Did you mean 'DemoChain'?")]
    [InlineData("--image-tag=v2 0", "not a valid image tag")]
    [InlineData("--image-tag=v2:0", "not a valid image tag")]
    [InlineData("--namespace=Bad_NS", "not a valid namespace")]
    [InlineData("--environment=qa", "Unknown environment 'qa'")]
    [InlineData("--imgae-tag=v2", "Did you mean '--image-tag'?")]
    [InlineData("--verbosity=loud", "not a verbosity")]
    [InlineData("--run=yesterday", "not a run id")]
    [InlineData("--working=/no/such/folder", "does not exist")]
    [InlineData("--docker-host=compose-host", "is not a Docker host (e.g. ssh://user@compose-host")]
    [InlineData("--compose-db-container=twisterlab db", "not a valid name")]
    [InlineData("--compose-file=/no/such/docker-compose.yml", "the file '/no/such/docker-compose.yml' does not exist")]
    [InlineData("--compose-database-url=mysql://twisterlab:pw@compose-host/twisterlab", "is not a PostgreSQL URL")]
    [InlineData("--compose-redis-url=redis://:pw@bad host:6379", "Redis URL 'redis://:***@bad host:6379' is not valid")]
    public void Is_refused_in_one_line_before_anything_starts(string badArgument, string expected)
    {
        using var world = new DemoWorld();
        var error = new StringWriter();
        var original = Console.Error;
        Console.SetError(error);
        int exitCode;
        try
        {
            exitCode = Demo(world, badArgument.StartsWith("--target", StringComparison.Ordinal) ? [badArgument] : ["--target=DemoChain", badArgument]);
        }
        finally
        {
            Console.SetError(original);
        }

        Assert.Equal(ExitCodes.BadInput, exitCode);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line);
        Assert.Empty(world.Snapshot());
        Assert.Empty(world.RunIds());
    }

    [Fact]
    public void A_refusal_found_inside_a_step_is_one_line_too()
    {
        var working = Directory.CreateTempSubdirectory("twisterlab-refusal-").FullName;
        var error = new StringWriter();
        var original = Console.Error;
        Console.SetError(error);
        int exitCode;
        try
        {
            // Preflight finds it: the production profile for a chain that overwrites its database.
            exitCode = new CakeHost().UseTwisterLab().Run(["--target=StagingRehearsal", "--image-tag=v2.0", $"--working={working}"]);
        }
        finally
        {
            Console.SetError(original);
            Directory.Delete(working, recursive: true);
        }

        Assert.Equal(ExitCodes.BadInput, exitCode);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: StagingRehearsal cannot start: RefreshStagingData: the 'production' profile is production's", line);
    }

    [Fact]
    public void Production_without_confirm_changes_nothing()
    {
        using var world = new DemoWorld();

        // Not world.Run: that adds --confirm. Tests run with stdin redirected, so there is nobody to ask.
        var exitCode = DemoHost.Demo.Run(["--target=DemoChain", $"--working={world.Root}", $"--world={world.WorldFolder}"]);

        Assert.Equal(ExitCodes.BadInput, exitCode);
        Assert.Empty(world.Snapshot());
        Assert.Equal("rejected", world.LatestReport().GetProperty("outcome").GetString());
    }

    [Fact]
    public void Listing_the_targets_records_no_run_folder()
    {
        var working = Directory.CreateTempSubdirectory("twisterlab-listing-").FullName;
        try
        {
            // What ./build.sh runs with no arguments.
            Assert.Equal(ExitCodes.Success, new CakeHost().UseTwisterLab().Run([$"--working={working}"]));
            Assert.False(Directory.Exists(Path.Combine(working, ".twisterlab", "runs")));
        }
        finally
        {
            Directory.Delete(working, recursive: true);
        }
    }

    [Theory]
    [InlineData("RollingUpgrade", "", "SetImage: add --image-tag=<tag>")]
    [InlineData("ClusterUpgrade", "", "add --kubernetes-version=<x.y.z>")]
    [InlineData("RollingUpgrade", "--image-tag", "--image-tag: needs a value")]
    [InlineData("RollingUpgrade", "--image-tag=v2.0 --inject-failure=SetImag", "Did you mean 'SetImage'?")]
    public void A_dry_run_refuses_what_the_real_run_would(string chain, string arguments, string expected)
    {
        var working = Directory.CreateTempSubdirectory("twisterlab-plan-refusal-").FullName;
        var error = new StringWriter();
        var original = Console.Error;
        Console.SetError(error);
        int exitCode;
        try
        {
            exitCode = new CakeHost().UseTwisterLab().Run(
                [$"--target={chain}", "--dryrun", $"--working={working}", .. arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
        }
        finally
        {
            Console.SetError(original);
        }

        try
        {
            Assert.Equal(ExitCodes.BadInput, exitCode);
            var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(expected, line);
            Assert.False(Directory.Exists(Path.Combine(working, ".twisterlab", "runs")));
        }
        finally
        {
            Directory.Delete(working, recursive: true);
        }
    }

    private static int Demo(DemoWorld world, string[] args)
    {
        // --working must come last so that a bad --working wins over the good one.
        var common = world.CommonArguments().Where(argument => !args.Any(a => a.StartsWith("--working", StringComparison.Ordinal)) || !argument.StartsWith("--working", StringComparison.Ordinal));
        return DemoHost.Demo.Run([.. args, .. common]);
    }
}
