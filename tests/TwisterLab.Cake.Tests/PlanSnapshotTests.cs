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
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        int exitCode;
        try
        {
            exitCode = new CakeHost().UseTwisterLab().Run(
                [$"--target={chain}", "--dryrun", $"--working={RepositoryRoot.Path}", .. arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
        }
        finally
        {
            Console.SetOut(original);
        }

        Assert.Equal(ExitCodes.Success, exitCode);
        Snapshot.Match(Plan(output.ToString()), SnapshotNameExtension.Create(chain, arguments.Replace(' ', '_').Replace("=", "").Replace("/", "").Replace(":", "")));
    }

    private static List<string> Plan(string output)
    {
        var text = Ansi().Replace(output, string.Empty);
        var start = text.IndexOf("Plan for ", StringComparison.Ordinal);
        Assert.True(start >= 0, "no plan printed:\n" + text);
        return text[start..].Split('\n').Skip(1).TakeWhile(line => line.Trim().Length > 0 && (line.StartsWith(' ') || char.IsDigit(line[0])))
            .Select(line => RunId().Replace(line.TrimEnd(), "<run-id>"))
            .ToList();
    }

    [GeneratedRegex(@"\u001b\[[0-9;]*m")]
    private static partial Regex Ansi();

    [GeneratedRegex(@"\d{8}-\d{9}-[0-9a-f]{4}")]
    private static partial Regex RunId();
}
