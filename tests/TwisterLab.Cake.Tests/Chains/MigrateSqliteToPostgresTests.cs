using Microsoft.Data.Sqlite;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests.Chains;

public sealed class MigrateSqliteToPostgresTests
{
    public static readonly string[] Steps =
        ["Preflight", "PreflightLive", "DeployPostgres", "ImportSqlite", "VerifySqliteImport", "PointSecretAtPostgres", "RestartApi", "VerifyHealth"];

    /// <summary>Given a dev SQLite database beside the rehearsal.</summary>
    private static Task<string[]> DevDatabase(Rehearsal rehearsal)
    {
        var path = Path.Combine(rehearsal.WorkingDirectory, "dev.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE legacy_notes (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, created_at DATETIME);
                CREATE TABLE legacy_settings (key TEXT PRIMARY KEY, value TEXT);
                INSERT INTO legacy_notes (body, created_at) VALUES ('first', '2025-12-10 08:30:00'), ('δεύτερο', NULL), ('third', '2025-12-11 09:00:00');
                INSERT INTO legacy_settings VALUES ('theme', 'dark'), ('tenant', NULL);
                """;
            command.ExecuteNonQuery();
        }

        return Task.FromResult(new[] { $"--sqlite-path={path}" });
    }

    [Fact]
    public async Task Moves_the_sqlite_tables_into_postgres_and_points_the_api_at_it()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var arguments = await DevDatabase(rehearsal);
        var before = await rehearsal.SnapshotAsync();

        Assert.Equal(ExitCodes.Success, rehearsal.Run("MigrateSqliteToPostgres", arguments));

        var after = await rehearsal.SnapshotAsync();
        Assert.StartsWith("rows=3 ", after.Facts["table/public.legacy_notes"]);
        Assert.StartsWith("rows=2 ", after.Facts["table/public.legacy_settings"]);
        Assert.Equal(before.Facts["deployment/postgres"], after.Facts["deployment/postgres"]);
        var url = await rehearsal.Environment.Gateway.Secrets.ReadKeyAsync("twisterlab-secrets", "DATABASE_URL", CancellationToken.None);
        Assert.Equal($"postgresql+asyncpg://twisterlab:{Uri.EscapeDataString(rehearsal.Environment.Database.Password!)}@postgres:5432/twisterlab", url);
        Assert.Equal("succeeded", rehearsal.Outcome());
        // The export kept is the file itself, byte for byte, with its sha256; no SQL text unless --export-sql.
        var kept = Assert.Single(Directory.GetFiles(Path.Combine(rehearsal.WorkingDirectory, "backups"), "sqlite_export_*"), file => file.EndsWith(".sqlite", StringComparison.Ordinal));
        Assert.Equal(File.ReadAllBytes(arguments[0]["--sqlite-path=".Length..]), File.ReadAllBytes(kept));
        Assert.DoesNotContain(Directory.GetFiles(Path.Combine(rehearsal.WorkingDirectory, "backups"), "sqlite_export_*"), file => file.EndsWith(".sql", StringComparison.Ordinal) || file.EndsWith(".sql.gz", StringComparison.Ordinal));
        var import = rehearsal.LatestReport().GetProperty("steps").EnumerateArray().Single(step => step.GetProperty("name").GetString() == "ImportSqlite");
        // Where the time went is a fact of the step's detail (report.json v1): its phases, each table's load among them.
        var phases = import.GetProperty("detail").GetProperty("import").GetProperty("phases").EnumerateArray().Select(phase => phase.GetProperty("name").GetString());
        Assert.Contains("load legacy_notes", phases);
    }

    [Fact]
    public async Task Refuses_a_missing_sqlite_file_and_a_wrong_secret_before_any_change()
    {
        await using var rehearsal = await Rehearsal.StartAsync();
        var arguments = await DevDatabase(rehearsal);

        await ChainChecks.AssertRefusedAsync(rehearsal, "MigrateSqliteToPostgres", "--sqlite-path: the file '/no/such/dev.db' does not exist", "--sqlite-path=/no/such/dev.db");
        await ChainChecks.AssertRefusedAsync(rehearsal, "MigrateSqliteToPostgres", "add --sqlite-path=");
        await ChainChecks.AssertRefusedAsync(rehearsal, "MigrateSqliteToPostgres", "secret/app-secrets does not exist", [.. arguments, "--secret=app-secrets"]);
    }

    public static TheoryData<string, string> Faults() => ChainChecks.Matrix(Steps, withoutKubernetesCalls: ["ImportSqlite", "VerifySqliteImport"]);

    [Theory]
    [MemberData(nameof(Faults))]
    public Task A_fault_at_any_step_drops_the_imported_tables_and_puts_the_secret_back(string step, string kind) =>
        ChainChecks.AssertWorldRestoredAsync("MigrateSqliteToPostgres", step, kind, DevDatabase);
}
