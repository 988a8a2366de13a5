using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests;

/// <summary>
/// For the five mutating steps and each k, a failure at step k undoes, last first, every change recorded so far
/// (step k's own too when it recorded one before failing), each exactly once, and the world is as before.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class RollbackAtEveryStepTests
{
    public static TheoryData<int, string> Failures()
    {
        var data = new TheoryData<int, string>();
        foreach (var k in Enumerable.Range(1, DemoWorld.Steps.Length))
        {
            foreach (var mode in new[] { "before-record", "after-record", "after-change" })
            {
                data.Add(k, mode);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Failures))]
    public void A_failure_at_step_k_undoes_every_recorded_change_once_in_reverse(int k, string mode)
    {
        using var world = new DemoWorld();
        File.WriteAllText(Path.Combine(world.WorldFolder, "WriteB.txt"), "B was here before");
        var before = world.Snapshot();

        var exitCode = world.Run("--target=DemoChain", $"--fail-at={DemoWorld.Steps[k - 1]}", $"--fail-mode={mode}");

        var recorded = mode == "before-record" ? k - 1 : k;
        var expectedUndo = DemoWorld.Steps.Take(recorded).Reverse().Select(step => step + ".txt").ToList();
        Assert.Equal(recorded == 0 ? ExitCodes.Failed : ExitCodes.Failed, exitCode);
        Assert.Equal(before, world.Snapshot());
        Assert.Equal(expectedUndo, world.UndoLog());
        var report = world.LatestReport();
        Assert.Equal(recorded == 0 ? "failed" : "rolledBack", report.GetProperty("outcome").GetString());
        Assert.Equal(recorded, report.GetProperty("compensations").GetArrayLength());
        Assert.All(report.GetProperty("compensations").EnumerateArray(), entry => Assert.Equal("applied", entry.GetProperty("status").GetString()));
    }

    [Fact]
    public void No_rollback_keeps_the_journal_and_Rollback_finishes_it_once()
    {
        using var world = new DemoWorld();

        Assert.Equal(ExitCodes.Failed, world.Run("--target=DemoChain", "--fail-at=WriteD", "--no-rollback"));
        Assert.Equal(4, world.Snapshot().Count);
        Assert.Empty(world.UndoLog());

        Assert.Equal(ExitCodes.Success, world.Run("--target=Rollback", "--run=latest"));
        Assert.Empty(world.Snapshot());
        Assert.Equal(["WriteD.txt", "WriteC.txt", "WriteB.txt", "WriteA.txt"], world.UndoLog());

        Assert.Equal(ExitCodes.Success, world.Run("--target=Rollback", $"--run={world.RunIds()[0]}"));
        Assert.Equal(4, world.UndoLog().Count);
    }

    [Fact]
    public void A_successful_run_keeps_every_change()
    {
        using var world = new DemoWorld();

        Assert.Equal(ExitCodes.Success, world.Run("--target=DemoChain"));

        Assert.Equal(DemoWorld.Steps.Select(step => step + ".txt").Order(StringComparer.Ordinal), world.Snapshot().Keys);
        Assert.Empty(world.UndoLog());
        Assert.Equal("succeeded", world.LatestReport().GetProperty("outcome").GetString());
    }
}
