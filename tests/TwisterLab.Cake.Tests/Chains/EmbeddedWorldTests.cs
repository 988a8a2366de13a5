using System.Text.Json;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests.Chains;

/// <summary>
/// Every target once with --cluster=embedded, as a person types it: the entry point starts the whole world (simulator,
/// throwaway PostgreSQL and Redis behind the pods, the stand-in API, v1 seeded), fills in what the target needs there,
/// runs the chain and stops the world. The rollbacks meet a world with nothing to undo and say so; the rehearsal
/// (RehearseTests) runs them after the changes they undo.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class EmbeddedWorldTests : IDisposable
{
    private readonly string _working = Directory.CreateTempSubdirectory("twisterlab-embedded-").FullName;

    public EmbeddedWorldTests()
    {
        foreach (var folder in new[] { "k8s", "rehearsal", "environments" })
        {
            Directory.CreateSymbolicLink(Path.Combine(_working, folder), Path.Combine(RepositoryRoot.Path, folder));
        }
    }

    public static TheoryData<string, string[], int, string> Targets() => new()
    {
        { "RollingUpgrade", ["--image-tag=v2.0"], ExitCodes.Success, "succeeded" },
        { "BlueGreenDeploy", ["--image-tag=v2.0", "--canary=25"], ExitCodes.Success, "succeeded" },
        { "MaintenanceUpgrade", ["--image-tag=v2.1"], ExitCodes.Success, "succeeded" },
        { "PostgresMajorUpgrade", [], ExitCodes.Success, "succeeded" },
        { "RedisUpgrade", [], ExitCodes.Success, "succeeded" },
        { "ClusterUpgrade", [], ExitCodes.Success, "succeeded" },
        { "MigrateComposeToKubernetes", [], ExitCodes.Success, "succeeded" },
        { "MigrateSqliteToPostgres", [], ExitCodes.Success, "succeeded" },
        { "MigrateToMultiTenant", [], ExitCodes.Success, "succeeded" },
        { "StagingRehearsal", ["--image-tag=v2.2"], ExitCodes.Success, "succeeded" },
        { "PostUpgradeVerify", [], ExitCodes.Success, "succeeded" },
        { "Monitor", [], ExitCodes.Success, "succeeded" },
        // A fresh v1 world: no retired colour to clean up or go back to (refused before any change), nothing to roll back.
        { "BlueGreenCleanup", [], ExitCodes.BadInput, "no retired deployment of twisterlab-api" },
        { "BlueGreenRollback", ["--image-tag=v2.0"], ExitCodes.BadInput, "no retired deployment of twisterlab-api beside the live one" },
        { "Rollback", [], ExitCodes.Failed, "no rollout history found" },
        { "FullRollback", [], ExitCodes.BadInput, "no backup of rehearsal cluster" },
    };

    [Theory]
    [MemberData(nameof(Targets))]
    public void Runs_on_the_embedded_world(string target, string[] arguments, int exitCode, string outcomeOrError)
    {
        var actual = TwisterLabHost.Run([$"--target={target}", .. arguments, "--cluster=embedded", $"--working={_working}"]);

        var report = LatestReport();
        var said = report.GetProperty("outcome").GetString() + " " + (report.TryGetProperty("error", out var error) ? error.GetString() : "");
        Assert.True(actual == exitCode, $"{target} exited {actual}, not {exitCode}: {said}");
        Assert.Contains(outcomeOrError, said);
        Assert.Equal("rehearsal", report.GetProperty("environment").GetString());
    }

    [Fact]
    public void A_dry_run_starts_no_world()
    {
        Assert.Equal(ExitCodes.Success, TwisterLabHost.Run(["--target=RollingUpgrade", "--image-tag=v2.0", "--cluster=embedded", "--dryrun", $"--working={_working}"]));

        Assert.False(Directory.Exists(Path.Combine(_working, ".twisterlab", "runs")));
        Assert.False(Directory.Exists(RunStore.RehearsalRootOf(_working)));
    }

    private JsonElement LatestReport()
    {
        // --cluster=embedded is a rehearsal: its runs live apart from real ones.
        var folder = Directory.GetDirectories(RunStore.RehearsalRootOf(_working)).Order(StringComparer.Ordinal).Last();
        return JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "report.json"))).RootElement;
    }

    public void Dispose() => Directory.Delete(_working, recursive: true);
}
