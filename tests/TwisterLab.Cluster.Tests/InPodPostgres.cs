using Npgsql;
using TwisterLab.Cake.Cluster.Postgres;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Data.Throwaway;
using TwisterLab.Cake.Rehearsal;

namespace TwisterLab.Cluster.Tests;

/// <summary>
/// Given: a throwaway PostgreSQL behind the simulated cluster's postgres pod (the rehearsal's exec handler runs the
/// pod's pg_dump, pg_restore and psql as real local processes against it), seeded with a few tables.
/// </summary>
public sealed class InPodPostgres : IAsyncDisposable
{
    private InPodPostgres(ThrowawayPostgres server, TestCluster cluster, string folder)
    {
        Server = server;
        Cluster = cluster;
        Folder = folder;
    }

    public ThrowawayPostgres Server { get; }

    public TestCluster Cluster { get; }

    /// <summary>Where backups go; deleted at the end.</summary>
    public string Folder { get; }

    public PostgresTarget Direct => Server.Target("app");

    public PodDatabase Pod => new("postgres", Cluster.Namespace, ThrowawayPostgres.Superuser, "app");

    public PodPostgres Gateway => new(Cluster.Gateway.Pods, Pod);

    public static async Task<InPodPostgres> StartAsync(int tickets = 20_000)
    {
        var server = await ThrowawayPostgres.StartAsync();
        try
        {
            await SeedAsync(server, tickets);
            var exec = new RehearsalExecHandler(Path.GetTempPath()).WithPostgres("postgres:*", server.Target("app"));
            var cluster = await TestCluster.StartSimulatorAsync(options => options.ExecHandler = exec);
            await cluster.CreateDeploymentAsync("postgres", "postgres:15", replicas: 1);
            await cluster.WaitRolledOutAsync("postgres");
            return new InPodPostgres(server, cluster, Directory.CreateTempSubdirectory("inpod-backup-").FullName);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    public string PathFor(string name) => Path.Combine(Folder, name);

    public Task<IntegritySnapshot> IntegrityAsync(string database = "app") => IntegritySnapshotter.TakeAsync(Server.Target(database), withChecksums: true);

    public async Task ExecuteAsync(string sql, string database = "app")
    {
        await using var connection = new NpgsqlConnection(Server.Target(database).ConnectionString);
        await connection.OpenAsync();
        await new NpgsqlCommand(sql, connection).ExecuteNonQueryAsync();
    }

    /// <summary>Random-looking bodies so the archive does not compress to nothing (the drop test needs bytes in flight).</summary>
    private static async Task SeedAsync(ThrowawayPostgres server, int tickets)
    {
        await using (var admin = new NpgsqlConnection(server.Target().ConnectionString))
        {
            await admin.OpenAsync();
            await new NpgsqlCommand("CREATE DATABASE app", admin).ExecuteNonQueryAsync();
        }

        await using var connection = new NpgsqlConnection(server.Target("app").ConnectionString);
        await connection.OpenAsync();
        await new NpgsqlCommand($"""
            CREATE TABLE agents (id bigint PRIMARY KEY, name text NOT NULL);
            CREATE TABLE "Tickets" (id bigint PRIMARY KEY, agent_id bigint REFERENCES agents(id), body text, created timestamptz);
            CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
            INSERT INTO agents SELECT g, 'agent ' || g FROM generate_series(1, 50) g;
            INSERT INTO "Tickets" SELECT g, 1 + g % 50, md5(g::text) || md5((g * 7)::text) || md5((g * 13)::text), '2026-01-01'::timestamptz + g * interval '1 minute'
                FROM generate_series(1, {tickets}) g;
            INSERT INTO alembic_version VALUES ('0001_initial');
            """, connection).ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Server.DisposeAsync();
        Directory.Delete(Folder, recursive: true);
    }
}
