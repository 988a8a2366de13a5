using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests;

/// <summary>The host runs on Cake's engine with Frosting's rules: order, exclusive, criteria, error and finally handlers.</summary>
[Collection(HostCollection.Name)]
public sealed class HostTests
{
    [Fact]
    public void Dependencies_run_in_the_order_they_are_written()
    {
        using var world = new DemoWorld();

        Assert.Equal(ExitCodes.Success, world.Run("--target=ReversedChain"));

        Assert.Equal([.. DemoWorld.Steps.Reverse(), "ReversedChain"], StepNames(world));
    }

    [Fact]
    public void Exclusive_runs_the_target_without_its_dependencies()
    {
        using var world = new DemoWorld();

        Assert.Equal(ExitCodes.Success, world.Run("--target=WriteC", "--exclusive"));

        Assert.Equal(["WriteC.txt"], world.Snapshot().Keys);
    }

    [Fact]
    public void A_step_whose_criteria_says_no_is_skipped_and_reported_so()
    {
        using var world = new DemoWorld();

        Assert.Equal(ExitCodes.Success, world.Run("--target=DemoChain", "--skip=WriteB"));

        Assert.DoesNotContain("WriteB.txt", world.Snapshot().Keys);
        var skipped = world.LatestReport().GetProperty("steps").EnumerateArray().Single(step => step.GetProperty("name").GetString() == "WriteB");
        Assert.Equal("skipped", skipped.GetProperty("status").GetString());
    }

    [Fact]
    public void An_OnError_override_swallows_the_failure_as_Cake_does_and_Finally_still_runs()
    {
        using var world = new DemoWorld();

        Assert.Equal(ExitCodes.Success, world.Run("--target=SwallowedFailure"));

        Assert.Equal(["onerror", "finally"], world.HandlerLog());
    }

    [Fact]
    public void A_failure_without_OnError_fails_the_run_after_Finally()
    {
        using var world = new DemoWorld();

        Assert.Equal(ExitCodes.Failed, world.Run("--target=FailureWithFinally"));

        Assert.Equal(["finally"], world.HandlerLog());
        Assert.Equal("not swallowed", world.LatestReport().GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("--tree")]
    [InlineData("--description")]
    [InlineData("--version")]
    [InlineData("--info")]
    public void Informational_options_change_nothing(string option)
    {
        using var world = new DemoWorld();

        Assert.Equal(ExitCodes.Success, world.Run("--target=DemoChain", option));

        Assert.Empty(world.Snapshot());
        Assert.Empty(world.RunIds());
    }

    private static IEnumerable<string> StepNames(DemoWorld world) =>
        world.LatestReport().GetProperty("steps").EnumerateArray().Select(step => step.GetProperty("name").GetString()!);
}
