using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests.Chains;

/// <summary>
/// Beyond the guide, items 1 and 2: migrations run from the new image, in a Job, before the rollout; and no image is
/// put back over a schema it does not know. Each test drives one rehearsal world through several runs (cheaper than a
/// world per assertion); the fault matrices of RollingUpgrade, FullRollback and BlueGreenRollback cover a fault at
/// every step, the new Jobs included.
/// </summary>
public sealed class SchemaCompatibilityTests
{
    private const string Api = "deployment/twisterlab-api";

    [Fact]
    public async Task Migrations_run_from_the_new_image_and_must_reach_its_head()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var before = await rehearsal.SnapshotAsync();

        // Given a migration that stops short of v2.0's head: failed, undone, the image never set.
        Assert.Equal(ExitCodes.Failed, rehearsal.Run("RollingUpgrade", "--image-tag=v2.0", "--migrations-reversible", "--migration-command=alembic upgrade 0001_initial"));
        Assert.Contains("not at twisterlab-api:v2.0's head (0002_ticket_priority)", rehearsal.LatestReport().GetProperty("error").GetString());
        Assert.Empty(before.Differences(await rehearsal.SnapshotAsync()));

        // Given an image whose migration job crash-loops: it fails at once, before set image, and changes nothing.
        rehearsal.Environment.Cluster.Faults.MakeImageCrashLoop("twisterlab-api:v2.2");
        Assert.Equal(ExitCodes.Failed, rehearsal.Run("RollingUpgrade", "--image-tag=v2.2", "--migrations-reversible"));
        Assert.DoesNotContain(rehearsal.LatestReport().GetProperty("steps").EnumerateArray(), step => step.GetProperty("name").GetString() == "SetImage");
        Assert.Empty(before.Differences(await rehearsal.SnapshotAsync()));

        // The guide's exec runs the running v1 image's migrations: a no-op, which it now says.
        Assert.Equal(ExitCodes.Success, rehearsal.Run("ApplyMigrations", "--image-tag=v2.0", "--migrate-in=running-pod", "--exclusive"));
        Assert.Equal("0001_initial", (await rehearsal.SnapshotAsync()).Facts["alembic"]);
        Assert.Contains(rehearsal.LatestLog(), line => line.Contains("changed nothing", StringComparison.Ordinal));

        // The Job with v2.0's image reaches v2.0's head, its log streamed into the run's, the API still on v1.
        Assert.Equal(ExitCodes.Success, rehearsal.Run("ApplyMigrations", "--image-tag=v2.0", "--exclusive"));
        var world = await rehearsal.SnapshotAsync();
        Assert.Equal("0002_ticket_priority", world.Facts["alembic"]);
        Assert.Contains(":v1 ", world.Facts[Api]);
        Assert.Contains(rehearsal.LatestLog(), line => line.Contains("Running upgrade 0001_initial -> 0002_ticket_priority", StringComparison.Ordinal));
    }

    [Fact]
    public async Task No_image_is_put_back_over_a_schema_it_does_not_know()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var start = await rehearsal.SnapshotAsync();

        // Given a held upgrade: v2.0's migration ran (irreversible), then a failure.
        Assert.Equal(ExitCodes.Held, rehearsal.Run("RollingUpgrade", "--image-tag=v2.0", "--inject-failure=WaitForRollout"));
        var held = await rehearsal.SnapshotAsync();
        Assert.Equal("0002_ticket_priority", held.Facts["alembic"]);

        // Finishing that run's rollback would put v1 back first: the gate holds, naming the downgrade and the FullRollback.
        Assert.Equal(ExitCodes.Held, rehearsal.Run("Rollback", "--run=latest"));
        var note = string.Join("\n", rehearsal.LatestNotes());
        Assert.Contains("alembic downgrade 0001_initial", note);
        Assert.Contains("--target=FullRollback --backup=", note);
        Assert.Empty(held.Differences(await rehearsal.SnapshotAsync()));

        // The guide's quick rollback holds too, before any change.
        Assert.Equal(ExitCodes.Held, rehearsal.Run("Rollback"));
        Assert.Empty(held.Differences(await rehearsal.SnapshotAsync()));

        // When the gate cannot ask the image (v1 unpullable now), nothing is put back either: the undo stops, the journal stays.
        rehearsal.Environment.Cluster.Faults.MakeImageUnpullable("twisterlab-api:v1");
        Assert.Equal(ExitCodes.RollbackFailed, rehearsal.Run("Rollback", "--run=latest"));
        Assert.Empty(held.Differences(await rehearsal.SnapshotAsync()));
        rehearsal.Environment.Cluster.Faults.ClearImageRules();

        // FullRollback restores the database with the image: v1 knows the restored revision, so it goes back.
        Assert.Equal(ExitCodes.Success, rehearsal.Run("FullRollback"));
        Assert.Empty(start.Differences(await rehearsal.SnapshotAsync()));

        // Blue-green: green v2.0 takes traffic, then its image migrates the schema; putting blue (v1) back holds.
        Assert.Equal(ExitCodes.Success, rehearsal.Run("BlueGreenDeploy", "--image-tag=v2.0"));
        (await rehearsal.Environment.Gateway.Pods.ExecAsync(new ExecRequest("twisterlab-api-v2-0", ["alembic", "upgrade", "head"]), CancellationToken.None)).EnsureSuccess("alembic upgrade head");
        var green = await rehearsal.SnapshotAsync();
        Assert.Equal(ExitCodes.Held, rehearsal.Run("BlueGreenRollback", "--image-tag=v2.0"));
        Assert.Contains("is ahead of twisterlab-api:v1", string.Join("\n", rehearsal.LatestNotes()));
        Assert.Empty(green.Differences(await rehearsal.SnapshotAsync()));
    }
}
