using Microsoft.Data.Sqlite;

namespace TwisterLab.Cake.Rehearsal;

/// <summary>
/// What a target needs beyond the world's common arguments to run in the embedded world, built in it: the second
/// PostgreSQL of a major upgrade, "production" of a staging rehearsal, the Compose database of a Compose migration, a
/// SQLite file to import, a node hook for a cluster upgrade. Used by --cluster=embedded, Rehearse and the sandbox, so
/// a target runs the same everywhere the world is.
/// </summary>
public static class TargetDefaults
{
    /// <summary>The Compose migration installs into an empty namespace; every other target starts from v1.</summary>
    public static bool NeedsVersionOne(string target) => !string.Equals(target, "MigrateComposeToKubernetes", StringComparison.OrdinalIgnoreCase);

    public static async Task<IReadOnlyList<string>> ForAsync(string target, RehearsalEnvironment world, string workingDirectory, CancellationToken cancellationToken = default)
    {
        var root = world.Options.RepositoryRoot;
        switch (target.ToLowerInvariant())
        {
            case "migratesqlitetopostgres":
                return [$"--sqlite-path={await DevSqliteAsync(workingDirectory, cancellationToken)}"];
            case "postgresmajorupgrade":
                return [$"--new-database-url={(await world.StartNewPostgresAsync(cancellationToken)).ConnectionString}"];
            case "clusterupgrade":
                // One control plane ahead (1.32.9) and a node hook that makes each node report the new kubelet through the
                // real kubectl, as an upgraded kubelet would.
                world.Cluster.ServerVersion = "v" + UpgradedKubernetes;
                return
                [
                    $"--kubernetes-version={UpgradedKubernetes}",
                    $"--node-upgrade-command=kubectl --kubeconfig {world.Cluster.KubeconfigPath} --cache-dir {RehearsalPaths.KubectlCache(workingDirectory)} patch node {{node}} --subresource=status --type=merge -p '{{\"status\":{{\"nodeInfo\":{{\"kubeletVersion\":\"v{{version}}\"}}}}}}'",
                ];
            case "stagingrehearsal":
                // The world's database plays staging; a second database on its server plays production (more rows, personal
                // data). The rehearsal's own integration tests stand in for pytest's.
                return
                [
                    $"--source-database-url={(await world.ProductionDatabaseAsync(cancellationToken)).ConnectionString}",
                    "--anonymize=agents.name:name,tickets.body:text",
                    $"--integration-test-command=python3 {Path.Combine(root, "rehearsal", "scripts", "integration_tests.py")}",
                ];
            case "migratecomposetokubernetes":
                // No Docker engine: the Compose database is a throwaway server with v1's data, exported straight.
                return
                [
                    $"--compose-database-url={(await world.StartComposePostgresAsync(cancellationToken)).ConnectionString}",
                    $"--compose-redis-url={world.Redis.Target.Configuration}",
                ];
            default:
                return [];
        }
    }

    public const string UpgradedKubernetes = "1.32.9";

    /// <summary>A developer's SQLite database, as MigrateSqliteToPostgres expects one: two tables, text and dates.</summary>
    public static async Task<string> DevSqliteAsync(string workingDirectory, CancellationToken cancellationToken = default)
    {
        var path = Path.Combine(RehearsalPaths.Inputs(workingDirectory), $"dev-{Guid.NewGuid():N}.db");
        await using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE legacy_notes (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, created_at DATETIME);
            CREATE TABLE legacy_settings (key TEXT PRIMARY KEY, value TEXT);
            INSERT INTO legacy_notes (body, created_at) VALUES ('first', '2025-12-10 08:30:00'), ('second', NULL), ('third', '2025-12-11 09:00:00');
            INSERT INTO legacy_settings VALUES ('theme', 'dark'), ('tenant', NULL);
            """;
        await command.ExecuteNonQueryAsync(cancellationToken);
        return path;
    }
}
