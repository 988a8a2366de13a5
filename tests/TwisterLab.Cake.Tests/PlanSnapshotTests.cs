using System.Text.RegularExpressions;
using Snapshooter;
using Snapshooter.Xunit;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests;

/// <summary>
/// Each chain's dry-run plan, pinned: it must read like the guide, in the guide's order. A reordered dependency or a
/// changed command line shows up here. No cluster is needed for a plan.
/// </summary>
[Collection(HostCollection.Name)]
public sealed partial class PlanSnapshotTests
{
    [Theory]
    [InlineData("RollingUpgrade", "--image-tag=v2.0")]
    [InlineData("RollingUpgrade", "--image-tag=v2.0 --database-url=postgresql://twisterlab:secret@localhost:5432/twisterlab --verify-restore")]
    [InlineData("BlueGreenDeploy", "--image-tag=v2.0")]
    [InlineData("BlueGreenDeploy", "--image-tag=v2.0 --canary=20")]
    [InlineData("BlueGreenCleanup", "")]
    [InlineData("BlueGreenRollback", "--image-tag=v2.0")]
    [InlineData("MaintenanceUpgrade", "--image-tag=v2.0")]
    [InlineData("Rollback", "")]
    [InlineData("FullRollback", "--backup=backups/backup_pre_upgrade_x.dump")]
    [InlineData("PostUpgradeVerify", "")]
    [InlineData("Monitor", "--prometheus-url=http://prometheus:9090")]
    [InlineData("PostgresMajorUpgrade", "--new-database-url=postgresql://twisterlab:secret@localhost:5433/twisterlab --delete-old")]
    [InlineData("RedisUpgrade", "")]
    [InlineData("MigrateSqliteToPostgres", "")]
    [InlineData("MigrateToMultiTenant", "")]
    [InlineData("ClusterUpgrade", "--kubernetes-version=1.29.0")]
    [InlineData("MigrateComposeToKubernetes", "")]
    [InlineData("MigrateComposeToKubernetes", "--compose-database-url=postgresql://twisterlab:secret@compose-host:5432/twisterlab --skip-redis-export")]
    [InlineData("StagingRehearsal", "--environment=staging --image-tag=v2.0")]
    public void Reads_like_the_guide(string chain, string arguments)
    {
        using var fixtures = new PlanFixtures();
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        int exitCode;
        try
        {
            exitCode = new CakeHost().UseTwisterLab().Run(
                [$"--target={chain}", "--dryrun", $"--working={RepositoryRoot.Path}", .. arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries), .. RequiredInputs(chain)]);
        }
        finally
        {
            Console.SetOut(original);
        }

        Assert.Equal(ExitCodes.Success, exitCode);
        Snapshot.Match(Plan(output.ToString()), SnapshotNameExtension.Create(chain, arguments.Replace(' ', '_').Replace("=", "").Replace("/", "").Replace(":", "")));
    }

    private const string DatabaseUrl = "--database-url=postgresql://twisterlab:secret@localhost:5432/twisterlab";

    /// <summary>
    /// What each chain cannot be planned without (a dry run refuses as the real run would): given here, outside the
    /// snapshot's name, so each plan is pinned under the same name as before those inputs were required.
    /// </summary>
    private static string[] RequiredInputs(string chain) => chain switch
    {
        "MigrateSqliteToPostgres" => [$"--sqlite-path={PlanFixtures.Sqlite}", DatabaseUrl],
        "MigrateToMultiTenant" or "PostgresMajorUpgrade" => [DatabaseUrl],
        "MaintenanceUpgrade" => ["--schema-migration=rehearsal/upgrade_v2.sql", DatabaseUrl],
        "StagingRehearsal" => ["--source-database-url=postgresql://reader:secret@localhost:5433/twisterlab", "--database-url=postgresql://twisterlab:secret@localhost:5434/twisterlab", "--integration-test-command=python3 rehearsal/scripts/integration_tests.py"],
        _ => [],
    };

    /// <summary>The files the plans name, made under the repository (where plans run) and removed after.</summary>
    private sealed class PlanFixtures : IDisposable
    {
        public const string Sqlite = ".twisterlab/plan-fixtures/twisterlab.db";
        public const string Backup = "backups/backup_pre_upgrade_x.dump";

        private readonly string[] _made = [Path.Combine(RepositoryRoot.Path, Sqlite), Path.Combine(RepositoryRoot.Path, Backup)];

        public PlanFixtures()
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_made[0])!);
            using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_made[0]};Pooling=False"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = "CREATE TABLE IF NOT EXISTS tickets (id INTEGER PRIMARY KEY, title TEXT)";
                command.ExecuteNonQuery();
            }

            Directory.CreateDirectory(Path.GetDirectoryName(_made[1])!);
            File.WriteAllText(_made[1], "a plan only checks that the backup is there");
        }

        public void Dispose()
        {
            foreach (var file in _made)
            {
                File.Delete(file);
            }
        }
    }

    private static List<string> Plan(string output)
    {
        var text = Ansi().Replace(output, string.Empty);
        var start = text.IndexOf("Plan for ", StringComparison.Ordinal);
        Assert.True(start >= 0, "no plan printed:\n" + text);
        return text[start..].Split('\n').Skip(1).TakeWhile(line => line.Trim().Length > 0 && (line.StartsWith(' ') || StepNumber().IsMatch(line)))
            .Select(line => RunId().Replace(line.TrimEnd(), "<run-id>"))
            .ToList();
    }

    [GeneratedRegex(@"\u001b\[[0-9;]*m")]
    private static partial Regex Ansi();

    // "3. BackupDatabase", not a timestamped log line ("2026-12-02T15:35:54.853Z Plan report: …") that also starts with a digit.
    [GeneratedRegex(@"^\d+\. ")]
    private static partial Regex StepNumber();

    [GeneratedRegex(@"\d{8}-\d{9}-[0-9a-f]{4}")]
    private static partial Regex RunId();
}
