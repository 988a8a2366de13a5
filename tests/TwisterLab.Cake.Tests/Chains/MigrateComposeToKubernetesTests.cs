using k8s;
using Npgsql;
using StackExchange.Redis;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rehearsal;

namespace TwisterLab.Cake.Tests.Chains;

/// <summary>
/// Given: an empty target namespace (the rehearsal without v1: simulated cluster, an empty PostgreSQL behind the
/// postgres pods) and a "Compose" database — a throwaway PostgreSQL of its own with v1's schema and seed, reached with
/// --compose-database-url because this machine has a docker CLI but no Docker engine.
/// </summary>
public sealed class MigrateComposeToKubernetesTests
{
    public static readonly string[] Steps =
    [
        "Preflight", "PreflightLive", "ExportComposeDatabase", "ExportComposeRedis", "ApplyKubernetesManifests", "WaitForPostgres",
        "RestoreComposeExport", "VerifyComposeImport", "ShowDnsIngressInstruction", "VerifyHealth", "StopCompose",
    ];

    private static RehearsalOptions EmptyNamespace(string? root = null) => new(root ?? RepositoryRoot.Path) { DeployVersionOne = false };

    /// <summary>Compose's database, with rows whose text COPY must escape (newline, tab, backslash, quotes, non-ASCII).</summary>
    private static async Task<string[]> ComposeDatabase(Rehearsal rehearsal)
    {
        var compose = await rehearsal.Environment.StartComposePostgresAsync();
        await using var connection = new NpgsqlConnection(compose.ConnectionString);
        await connection.OpenAsync();
        await new NpgsqlCommand("INSERT INTO agents (name) VALUES (E'two\\nlines'), (E'tab\\there'), (E'back\\\\slash'), ('\"quoted\" ''single'''), ('δεύτερο 🚀')", connection).ExecuteNonQueryAsync();
        return [$"--compose-database-url={compose.ConnectionString}"];
    }

    [Fact]
    public async Task Moves_the_compose_data_into_the_new_namespace_and_leaves_compose_running()
    {
        await using var rehearsal = await Rehearsal.StartAsync(EmptyNamespace());
        var arguments = await ComposeDatabase(rehearsal);
        var compose = rehearsal.Environment.ComposeDatabase!;
        var composeBefore = await IntegritySnapshotter.TakeAsync(compose);
        Assert.Empty((await rehearsal.SnapshotAsync()).Facts.Keys.Where(fact => fact.StartsWith("deployment/", StringComparison.Ordinal)));
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(rehearsal.Environment.Redis.Target.ToOptions()))
        {
            await redis.GetDatabase().StringSetAsync("session:1", "alice");
            await redis.GetDatabase().StringSetAsync("session:2", "bob");
        }

        Assert.Equal(ExitCodes.Success, rehearsal.Run("MigrateComposeToKubernetes", [.. arguments, $"--compose-redis-url={rehearsal.Environment.Redis.Target.Configuration}"], configure: null));

        var after = await rehearsal.SnapshotAsync();
        Assert.Equal(["deployment/postgres", "deployment/redis", "deployment/twisterlab-api"], after.Facts.Keys.Where(fact => fact.StartsWith("deployment/", StringComparison.Ordinal)));
        var restored = await IntegritySnapshotter.TakeAsync(rehearsal.Environment.Database);
        Assert.Empty(restored.CompareTo(composeBefore));
        Assert.Equal("0001_initial", restored.AlembicRevision);
        Assert.Equal(25, restored.Tables.Single(table => table.Table == "public.agents").Rows);
        Assert.Empty((await IntegritySnapshotter.TakeAsync(compose)).CompareTo(composeBefore)); // the export changed nothing
        Assert.Equal("succeeded", rehearsal.Outcome());
        var notes = rehearsal.LatestNotes().ToList();
        Assert.Contains(notes, note => note.StartsWith("To do by hand: point edgeserver.twisterlab.local to the Kubernetes Ingress", StringComparison.Ordinal));
        Assert.Contains(notes, note => note.StartsWith("Docker Compose left running: the export came from --compose-database-url", StringComparison.Ordinal));
        Assert.Contains(notes, note => note.StartsWith("Redis dump kept: ", StringComparison.Ordinal) && note.Contains(" (2 keys, Redis ", StringComparison.Ordinal));
        AssertNoPassword(rehearsal, compose.Password!, rehearsal.Environment.Database.Password!);
    }

    [Fact]
    public async Task Says_in_one_line_why_redis_is_not_exported_without_docker()
    {
        await using var rehearsal = await Rehearsal.StartAsync(EmptyNamespace());
        var arguments = await ComposeDatabase(rehearsal);

        Assert.Equal(ExitCodes.Success, rehearsal.Run("MigrateComposeToKubernetes", arguments));

        Assert.Contains(rehearsal.LatestNotes(), note => note == "Redis not exported: the export runs without Docker (--compose-database-url); pass --compose-redis-url to export Redis too.");
        Assert.DoesNotContain(Directory.EnumerateFiles(rehearsal.WorkingDirectory, "redis_backup_*", SearchOption.AllDirectories), _ => true);
    }

    [Fact]
    public async Task Stops_at_preflight_when_no_docker_engine_answers_with_the_real_docker_cli()
    {
        await using var rehearsal = await Rehearsal.StartAsync(EmptyNamespace());

        // The real docker CLI of this machine, pointed at an engine that is not there (deterministic on any machine).
        await ChainChecks.AssertRefusedAsync(rehearsal, "MigrateComposeToKubernetes",
            "ExportComposeDatabase, ExportComposeRedis, StopCompose: Docker engine not reachable (docker version: ", "--docker-host=unix:///nonexistent/docker.sock");
        await ChainChecks.AssertRefusedAsync(rehearsal, "MigrateComposeToKubernetes",
            "ExportComposeDatabase: Docker engine not reachable", "--docker-host=unix:///nonexistent/docker.sock", "--skip-redis-export", "--keep-compose");
        Assert.Empty(Directory.EnumerateFiles(rehearsal.WorkingDirectory, "compose_export_*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Refuses_an_unreachable_or_wrong_compose_database_or_redis_before_any_change()
    {
        await using var rehearsal = await Rehearsal.StartAsync(EmptyNamespace());
        var compose = (await rehearsal.Environment.StartComposePostgresAsync());

        var wrongPassword = new NpgsqlConnectionStringBuilder(compose.ConnectionString) { Password = "not-the-password" }.ConnectionString;
        await ChainChecks.AssertRefusedAsync(rehearsal, "MigrateComposeToKubernetes", "--compose-database-url: Authentication failed", $"--compose-database-url={wrongPassword}");
        await ChainChecks.AssertRefusedAsync(rehearsal, "MigrateComposeToKubernetes", "--compose-database-url: ", "--compose-database-url=postgresql://twisterlab:secret@127.0.0.1:1/twisterlab");
        await ChainChecks.AssertRefusedAsync(rehearsal, "MigrateComposeToKubernetes", "ExportComposeRedis: --compose-redis-url: Cannot reach Redis",
            $"--compose-database-url={compose.ConnectionString}", "--compose-redis-url=redis://127.0.0.1:1");
        Assert.DoesNotContain("not-the-password", string.Join('\n', rehearsal.LatestLog()));
    }

    [Fact]
    public async Task Refuses_a_namespace_that_already_runs_the_api()
    {
        await using var rehearsal = await Rehearsal.StartAsync(); // v1 deployed
        var arguments = await ComposeDatabase(rehearsal);

        await ChainChecks.AssertRefusedAsync(rehearsal, "MigrateComposeToKubernetes", "deployment/twisterlab-api already runs in namespace twisterlab: a second migration would overwrite its live data", arguments);
    }

    [Fact]
    public async Task Refuses_a_missing_manifests_folder()
    {
        // A checkout whose k8s/ has no deployments/ folder.
        var root = Directory.CreateTempSubdirectory("twisterlab-no-deployments-").FullName;
        try
        {
            CopyFolder(Path.Combine(RepositoryRoot.Path, "k8s", "base"), Path.Combine(root, "k8s", "base"));
            CopyFolder(Path.Combine(RepositoryRoot.Path, "rehearsal"), Path.Combine(root, "rehearsal"));
            await using var rehearsal = await Rehearsal.StartAsync(EmptyNamespace(root));
            var arguments = await ComposeDatabase(rehearsal);

            await ChainChecks.AssertRefusedAsync(rehearsal, "MigrateComposeToKubernetes", "k8s/deployments is missing (pass --manifests=<folder with base/ and deployments/>)", arguments);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    public static TheoryData<string, string> Faults() => ChainChecks.Matrix(Steps,
        withoutKubernetesCalls: ["ExportComposeDatabase", "ExportComposeRedis", "RestoreComposeExport", "VerifyComposeImport", "ShowDnsIngressInstruction", "StopCompose"]);

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_fault_at_any_step_empties_the_namespace_and_the_database_again(string step, string kind)
    {
        IntegritySnapshot? composeBefore = null;
        await ChainChecks.AssertWorldRestoredAsync("MigrateComposeToKubernetes", step, kind,
            async rehearsal =>
            {
                var arguments = await ComposeDatabase(rehearsal);
                composeBefore = await IntegritySnapshotter.TakeAsync(rehearsal.Environment.ComposeDatabase!);
                return arguments;
            },
            async rehearsal =>
            {
                var core = rehearsal.Environment.Gateway.Client.CoreV1;
                Assert.Empty((await core.ListNamespacedConfigMapAsync(RehearsalEnvironment.Namespace)).Items);
                Assert.Empty((await core.ListNamespacedPersistentVolumeClaimAsync(RehearsalEnvironment.Namespace)).Items);
                Assert.NotNull(await core.ReadNamespaceAsync(RehearsalEnvironment.Namespace));
                Assert.Empty((await IntegritySnapshotter.TakeAsync(rehearsal.Environment.Database)).Tables);
                Assert.Empty((await IntegritySnapshotter.TakeAsync(rehearsal.Environment.ComposeDatabase!)).CompareTo(composeBefore!));
            },
            EmptyNamespace());
    }

    private static void AssertNoPassword(Rehearsal rehearsal, params string[] passwords)
    {
        foreach (var file in Directory.EnumerateFiles(rehearsal.LatestRunFolder(), "*", SearchOption.AllDirectories).Where(file => !file.EndsWith(".key", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            foreach (var password in passwords)
            {
                Assert.False(text.Contains(password, StringComparison.Ordinal), $"{Path.GetFileName(file)} holds a password");
            }
        }
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var folder in Directory.GetDirectories(from))
        {
            CopyFolder(folder, Path.Combine(to, Path.GetFileName(folder)));
        }
    }
}
