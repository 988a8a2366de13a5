using Snapshooter.Xunit;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests;

/// <summary>A dry run prints each step's plan in order and changes nothing: no files, no journal, no report.</summary>
[Collection(HostCollection.Name)]
public sealed class DryRunTests
{
    [Theory]
    [InlineData("--dryrun")]
    [InlineData("--noop")]
    [InlineData("--whatif")]
    public void Changes_nothing(string option)
    {
        using var world = new DemoWorld();

        Assert.Equal(ExitCodes.Success, world.Run("--target=DemoChain", option, "--fail-at=WriteC"));

        Assert.Empty(world.Snapshot());
        Assert.Empty(world.RunIds());
    }

    [Fact]
    public void Prints_the_plan_of_every_step_in_order()
    {
        using var world = new DemoWorld();
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        try
        {
            Assert.Equal(ExitCodes.Success, world.Run("--target=DemoChain", "--dryrun"));
        }
        finally
        {
            Console.SetOut(original);
        }

        var plan = output.ToString().Split('\n')
            .Where(line => line.Contains("would: "))
            .Select(line => line[(line.IndexOf("would: ", StringComparison.Ordinal) + 7)..].TrimEnd().Replace(world.Root, "<root>"))
            .Select(line => line.Replace("\u001b[0m", string.Empty))
            .ToList();
        Snapshot.Match(plan);
    }
}
