using System.Text.Json;
using Npgsql;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Data;

namespace TwisterLab.Cake.Tests.Chains;

public sealed class MigrateToMultiTenantTests
{
    public static readonly string[] Steps = ["Preflight", "BackupDatabase", "MigrateTenants", "ApplyTenantRevision", "VerifyTenants", "CreateTenantAgent", "VerifyHealth"];

    [Fact]
    public async Task Adds_a_not_null_tenant_to_every_table_keeps_the_rows_and_creates_a_tenant_agent()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var before = await rehearsal.SnapshotAsync();

        Assert.Equal(ExitCodes.Success, rehearsal.Run("MigrateToMultiTenant"));

        var after = await rehearsal.SnapshotAsync();
        Assert.Equal(before.Facts["table/public.agents"].Split(' ')[0], after.Facts["table/public.agents"].Split(' ')[0]);
        Assert.NotEqual(before.Facts["table/public.agents"], after.Facts["table/public.agents"]);
        await using var connection = new NpgsqlConnection(rehearsal.Environment.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM agents WHERE tenant_id = 'default'", connection);
        Assert.Equal(before.Facts["table/public.agents"].Split(' ')[0], $"rows={(long)(await command.ExecuteScalarAsync())!}");
        Assert.Contains(rehearsal.LatestLog(), line => line.Contains("agent created for tenant-123"));
        Assert.Equal("succeeded", rehearsal.Outcome());
    }

    [Fact]
    public async Task Alembic_knows_the_tenant_revision_afterwards_and_its_undo_downgrades_it()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var before = await rehearsal.SnapshotAsync();

        Assert.Equal(ExitCodes.Success, rehearsal.Run("MigrateToMultiTenant"));

        // alembic current, as the user would ask it: a Job with the API's image and the revision the run left in its ConfigMap.
        var applied = rehearsal.LatestReport().GetProperty("steps").EnumerateArray().Single(step => step.GetProperty("name").GetString() == "ApplyTenantRevision")
            .GetProperty("detail").GetProperty("tenantRevision");
        Assert.Equal(before.Facts["alembic"], applied.GetProperty("downRevision").GetString());
        var mounted = new JobFile(applied.GetProperty("job").GetString()!, AlembicTenantRevision.FileName, "/app/alembic/versions/" + AlembicTenantRevision.FileName);
        var current = await AlembicCurrentAsync(rehearsal, applied.GetProperty("image").GetString()!, mounted);
        Assert.True(current.Succeeded, string.Join("\n", current.Logs));
        Assert.Equal("add_tenant_support (head)", current.Logs.Single(line => line.Trim().Length > 0).Trim());
        // The rule for the next image: without the committed revision it cannot even say where the database is.
        var bare = await AlembicCurrentAsync(rehearsal, applied.GetProperty("image").GetString()!, null);
        Assert.False(bare.Succeeded);
        Assert.Contains(bare.Logs, line => line.Contains("Can't locate revision identified by 'add_tenant_support'"));

        var file = Path.Combine(rehearsal.LatestRunFolder(), "alembic", AlembicTenantRevision.FileName);
        Assert.Contains($"down_revision = \"{before.Facts["alembic"]}\"", await File.ReadAllTextAsync(file));
        Assert.Contains(rehearsal.LatestNotes(), note => note.Contains(AlembicTenantRevision.FileName) && note.Contains("alembic/versions"));

        // The undo's downgrade on its own (a failing run restores the backup after it, which would hide a downgrade that did nothing).
        await new DowngradeMigrationHandler(rehearsal.Environment.Gateway).ApplyAsync(RecordedDowngrade(rehearsal), CancellationToken.None);
        var after = await rehearsal.SnapshotAsync();
        Assert.Equal(before.Facts["alembic"], after.Facts["alembic"]);
        await using var connection = new NpgsqlConnection(rehearsal.Environment.Database.ConnectionString);
        await connection.OpenAsync();
        await using var columns = new NpgsqlCommand("SELECT count(*) FROM information_schema.columns WHERE column_name = 'tenant_id'", connection);
        Assert.Equal(0L, (long)(await columns.ExecuteScalarAsync())!);
        Assert.Equal(before.Facts.Where(fact => fact.Key.StartsWith("table/", StringComparison.Ordinal) && fact.Key != "table/public.agents"),
            after.Facts.Where(fact => fact.Key.StartsWith("table/", StringComparison.Ordinal) && fact.Key != "table/public.agents"));
    }

    [Fact]
    public async Task The_next_upgrade_to_an_image_without_the_revision_changes_nothing_and_says_to_commit_it()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        Assert.Equal(ExitCodes.Success, rehearsal.Run("MigrateToMultiTenant"));
        var before = await rehearsal.SnapshotAsync();

        // v2.0 was built before the revision was committed: it carries 0001 and 0002 only.
        Assert.Equal(ExitCodes.Failed, rehearsal.Run("RollingUpgrade", "--image-tag=v2.0", "--migrations-reversible"));

        Assert.Empty(before.Differences(await rehearsal.SnapshotAsync()));
        Assert.Equal("add_tenant_support", before.Facts["alembic"]);
        Assert.Contains(rehearsal.LatestLog(), line => line.Contains("which twisterlab-api:v2.0 does not carry") && line.Contains("commit it to the application's alembic/versions"));
    }

    private static Task<JobResult> AlembicCurrentAsync(Rehearsal rehearsal, string image, JobFile? mounted) =>
        rehearsal.Environment.Gateway.Jobs.RunAsync(
            new JobRequest(Jobs.NameFor("alembic-current"), "twisterlab-api", null, image, ["alembic", "current"], TimeSpan.FromMinutes(1), mounted is null ? null : [mounted]),
            null, CancellationToken.None);

    private static DowngradeMigration RecordedDowngrade(Rehearsal rehearsal)
    {
        using var journal = JsonDocument.Parse(File.ReadAllText(Path.Combine(rehearsal.LatestRunFolder(), "journal.json")));
        var entry = journal.RootElement.GetProperty("entries").EnumerateArray().Single(entry => entry.GetProperty("kind").GetString() == nameof(DowngradeMigration));
        return entry.GetProperty("data").Deserialize<DowngradeMigration>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
    }

    public static TheoryData<string, string> Faults() => ChainChecks.Matrix(Steps, withoutKubernetesCalls: ["BackupDatabase", "MigrateTenants", "VerifyTenants"]);

    [Theory]
    [MemberData(nameof(Faults))]
    public Task A_fault_at_any_step_restores_the_single_tenant_database(string step, string kind) =>
        ChainChecks.AssertWorldRestoredAsync("MigrateToMultiTenant", step, kind, _ => Task.FromResult(Array.Empty<string>()));
}
