using Npgsql;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rehearsal;

namespace TwisterLab.Cake.Tests.Chains;

/// <summary>
/// Given: the rehearsal as staging (v1, seeded) and a "production" database beside it with more rows and personal
/// data. When: StagingRehearsal refreshes staging from it and upgrades staging to v2.0.
/// Then: staging holds production's rows with names and ticket bodies anonymized, runs v2.0 at the new schema, and
/// production is untouched; a failure anywhere puts staging back exactly as it was.
/// </summary>
public sealed class StagingRehearsalTests
{
    public static readonly string[] Steps =
        ["Preflight", "PreflightLive", "RefreshStagingData", "BackupDatabase", "ApplyMigrations", "SetImage", "WaitForRollout", "VerifyHealth", "RunIntegrationTests", "RunLoadTests", "MonitorHealth"];

    [Fact]
    public async Task Refreshes_staging_with_anonymized_production_data_then_upgrades_and_tests_it()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var arguments = await StagingArgumentsAsync(rehearsal);
        var production = await IntegritySnapshotter.TakeAsync(Production(rehearsal), withChecksums: true);

        rehearsal.RunExpecting(ExitCodes.Success, "StagingRehearsal", arguments);

        var staging = rehearsal.Environment.Database;
        Assert.Equal(30L, await ScalarAsync(staging, "SELECT count(*) FROM agents"));
        Assert.Equal(800L, await ScalarAsync(staging, "SELECT count(*) FROM tickets"));
        Assert.Equal(0L, await ScalarAsync(staging, "SELECT count(*) FROM agents WHERE name !~ '^name-[0-9a-f]{32}$'"));
        Assert.Equal(30L, await ScalarAsync(staging, "SELECT count(DISTINCT name) FROM agents"));
        Assert.Equal(0L, await ScalarAsync(staging, "SELECT count(*) FROM tickets WHERE body ~ '[^x ]'"));
        var world = await rehearsal.SnapshotAsync();
        Assert.StartsWith("twisterlab-api=twisterlab-api:v2.0", world.Facts["deployment/twisterlab-api"]);
        Assert.Equal("0002_ticket_priority", world.Facts["alembic"]);
        Assert.Empty(production.CompareTo(await IntegritySnapshotter.TakeAsync(Production(rehearsal), withChecksums: true)));

        Assert.Contains("4 passed, 0 failed", File.ReadAllText(Path.Combine(rehearsal.LatestRunFolder(), "integration-tests.log")));
        Assert.Contains(rehearsal.LatestNotes(), note => note.StartsWith("Load test skipped: k6 is not installed", StringComparison.Ordinal));
        var runFiles = string.Join("\n", Directory.GetFiles(rehearsal.LatestRunFolder()).Where(file => !file.EndsWith(".key", StringComparison.Ordinal)).Select(File.ReadAllText));
        Assert.DoesNotContain(rehearsal.Environment.Postgres.Password, runFiles);
        Assert.DoesNotContain("jane.doe", runFiles);
        Assert.Equal("succeeded", rehearsal.Outcome());
    }

    [Fact]
    public async Task Failing_integration_tests_put_staging_back_as_it_was()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var arguments = await StagingArgumentsAsync(rehearsal);
        var before = await rehearsal.SnapshotAsync();

        Assert.Equal(ExitCodes.Failed, rehearsal.Run("StagingRehearsal", [.. arguments, "--integration-test-command=python3 -c \"print('1 failed'); raise SystemExit(1)\""]));

        Assert.Empty(before.Differences(await rehearsal.SnapshotAsync()));
        Assert.True(rehearsal.LatestLog().Any(line => line.Contains("Integration tests failed (exit 1): 1 failed", StringComparison.Ordinal)), string.Join("\n", rehearsal.LatestLog()));
        Assert.Equal("rolledBack", rehearsal.Outcome());
    }

    public static TheoryData<string, string> Faults() =>
        ChainChecks.Matrix(Steps, withoutKubernetesCalls: ["PreflightLive", "RefreshStagingData", "BackupDatabase", "RunIntegrationTests", "RunLoadTests"]);

    [Theory]
    [MemberData(nameof(Faults))]
    public Task A_fault_at_any_step_puts_staging_back_as_it_was(string step, string kind) =>
        ChainChecks.AssertWorldRestoredAsync("StagingRehearsal", step, kind, StagingArgumentsAsync);

    [Theory]
    [InlineData("the 'production' profile is production's", false)]
    [InlineData("name the same database", true, "--source-database-url=SAME")]
    [InlineData("reach the same database (the server says so)", true, "--source-database-url=SAME_BY_ANOTHER_NAME")]
    [InlineData("column public.users.email does not exist in the source database", true, "--anonymize=users.email:email")]
    [InlineData("column public.tickets.id is bigint, not text", true, "--anonymize=tickets.id:email")]
    [InlineData("no-such-runner is not installed here", true, "--integration-test-command=no-such-runner --all")]
    [InlineData("'users.email' is not an anonymization rule", true, "--anonymize=users.email")]
    public async Task Bad_input_is_refused_before_staging_changes(string expected, bool staging, params string[] overrides)
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var arguments = (await StagingArgumentsAsync(rehearsal))
            .Where(argument => staging || !argument.StartsWith("--environment=", StringComparison.Ordinal))
            .Concat(overrides.Select(argument => argument
                .Replace("SAME_BY_ANOTHER_NAME", new NpgsqlConnectionStringBuilder(rehearsal.Environment.Database.ConnectionString) { Host = "localhost" }.ConnectionString)
                .Replace("SAME", rehearsal.Environment.Database.ConnectionString)))
            .ToArray();

        await ChainChecks.AssertRefusedAsync(rehearsal, "StagingRehearsal", expected, arguments);
    }

    /// <summary>The rehearsal's profile (not production's), production beside staging, and the rehearsal's own tests.</summary>
    private static async Task<string[]> StagingArgumentsAsync(Rehearsal rehearsal)
    {
        rehearsal.UseProjectProfiles();
        var production = await rehearsal.Environment.CreateProductionDatabaseAsync();
        return
        [
            "--environment=rehearsal",
            "--image-tag=v2.0",
            $"--source-database-url={production.ConnectionString}",
            "--anonymize=agents.name:name,tickets.body:text",
            $"--integration-test-command=python3 {Path.Combine(RepositoryRoot.Path, "rehearsal", "scripts", "integration_tests.py")}",
        ];
    }

    private static PostgresTarget Production(Rehearsal rehearsal) => rehearsal.Environment.Database.WithDatabase("twisterlab_production");

    private static async Task<long> ScalarAsync(PostgresTarget database, string sql)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
