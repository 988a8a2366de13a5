using System.Text.Json;
using TwisterLab.Cake.Data;

namespace TwisterLab.Data.Bench;

/// <summary>Our operations run in a child process so GNU time measures their own wall time and peak RSS.</summary>
internal static class Children
{
    public static async Task<int> RunAsync(string[] args)
    {
        switch (args[0])
        {
            case "child-migrate":
                var verify = !(args.Length > 3 && args[3] == "no-verify");
                var report = await new SqliteToPostgresMigrator().MigrateAsync(args[1], PostgresTarget.Parse(args[2]), new SqliteMigrationOptions { Verify = verify });
                Console.WriteLine(JsonSerializer.Serialize(new { rows = report.TotalRows, verified = report.Tables.All(t => t.TargetChecksum == t.SourceChecksum), verification = report.Verification, seconds = report.Duration.TotalSeconds, phases = report.PhaseSeconds }));
                return 0;
            case "child-backup":
                var options = new BackupOptions(args[2]);
                if (args.Length > 3 && args[3] == "directory") options = options with { Format = TwisterLab.Cake.Tools.PgDumpFormat.Directory, Jobs = 2 };
                var result = await new PostgresBackupGateway().BackupAsync(PostgresTarget.Parse(args[1]), options);
                Console.WriteLine(JsonSerializer.Serialize(new { bytes = result.Manifest.SizeBytes }));
                return 0;
            case "child-exec-backup":
                // <kubeconfig> <namespace> <database> <path>: the in-cluster backup against the harness's simulator.
                using (var gateway = TwisterLab.Cake.Cluster.ClusterGateway.Connect(new TwisterLab.Cake.Cluster.ClusterConnection(args[1], TwisterLab.KubeSim.SimulatedCluster.ContextName, args[2])))
                {
                    var backup = await ExecBackupBench.BackupAsync(gateway, args[3], args[4]);
                    Console.WriteLine(JsonSerializer.Serialize(new { bytes = backup.Manifest.SizeBytes }));
                }

                return 0;
            case "child-sql-export":
                // Reads, converts and hashes like a migration but writes SQL text to a file: the client-side cost alone.
                var export = await new SqliteToPostgresMigrator().MigrateAsync(args[1], null, new SqliteMigrationOptions { SqlOutPath = args[2] });
                Console.WriteLine(JsonSerializer.Serialize(new { rows = export.TotalRows, phases = export.PhaseSeconds }));
                return 0;
            default:
                Console.Error.WriteLine($"unknown child verb {args[0]}");
                return 2;
        }
    }

    /// <summary>Command line that re-runs this benchmark executable with a child verb.</summary>
    public static string Command(params string[] arguments)
    {
        var self = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet"
            ? $"{Environment.ProcessPath} {typeof(Children).Assembly.Location}"
            : Environment.ProcessPath!;
        return $"{self} {string.Join(' ', arguments.Select(a => $"'{a}'"))}";
    }
}
