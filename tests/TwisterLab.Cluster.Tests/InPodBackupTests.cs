using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Data;

namespace TwisterLab.Cluster.Tests;

/// <summary>
/// Backups and restores through exec into the postgres pod, end to end over the real WebSocket exec path, against a
/// real PostgreSQL: the archive streamed both ways, the manifest's facts from the dump's own snapshot.
/// </summary>
public sealed class InPodBackupTests
{
    [Fact]
    public async Task A_backup_through_exec_holds_the_same_rows_as_a_direct_backup()
    {
        await using var world = await InPodPostgres.StartAsync();
        var gateway = new PostgresBackupGateway();

        var inPod = await gateway.BackupAsync(world.Gateway.Dump(compression: 1), new BackupOptions(world.PathFor("in-pod.dump")));
        var direct = await gateway.BackupAsync(world.Direct, new BackupOptions(world.PathFor("direct.dump")));
        await gateway.VerifyAsync(inPod.Path);

        Assert.Equal(direct.Manifest.TableRows, inPod.Manifest.TableRows);
        Assert.Equal(20_000, inPod.Manifest.TableRows["public.Tickets"]);
        Assert.Equal("0001_initial", inPod.Manifest.AlembicRevision);
        Assert.Equal(direct.Manifest.ServerVersion, inPod.Manifest.ServerVersion);
        Assert.Equal($"deployment/postgres in namespace {world.Cluster.Namespace}", inPod.Manifest.Server);
        // Restored side by side, both archives give the same content, row for row.
        await new PostgresRestoreGateway().RestoreAsync(world.Server.Target("from_pod"), inPod.Path);
        await new PostgresRestoreGateway().RestoreAsync(world.Server.Target("from_direct"), direct.Path);
        Assert.Empty((await world.IntegrityAsync("from_pod")).CompareTo(await world.IntegrityAsync("from_direct")));
        Assert.Empty((await world.IntegrityAsync("from_pod")).CompareTo(await world.IntegrityAsync()));
    }

    [Fact]
    public async Task A_restore_through_exec_puts_the_rows_back_and_checks_them_against_the_manifest()
    {
        await using var world = await InPodPostgres.StartAsync();
        var before = await world.IntegrityAsync();
        var backup = await new PostgresBackupGateway().BackupAsync(world.Gateway.Dump(compression: 1), new BackupOptions(world.PathFor("before.dump")));
        await world.ExecuteAsync("""DELETE FROM "Tickets" WHERE id % 3 = 0; UPDATE agents SET name = 'renamed'; UPDATE alembic_version SET version_num = '0002_x'""");

        var facts = await world.Gateway.RestoreAsync(backup.Path);

        Assert.Equal(backup.Manifest.TableRows, facts.TableRows);
        Assert.Empty(before.CompareTo(await world.IntegrityAsync()));
        Assert.Equal("0001_initial", (await world.IntegrityAsync()).AlembicRevision);
    }

    [Fact]
    public async Task Without_local_client_tools_the_pod_s_pg_restore_lists_the_archive()
    {
        await using var world = await InPodPostgres.StartAsync(tickets: 200_000);
        var gateway = new PostgresBackupGateway();
        var backup = await gateway.BackupAsync(world.Gateway.Dump(compression: 1), new BackupOptions(world.PathFor("b.dump")));

        var toc = await world.Gateway.ListArchiveAsync(backup.Path);
        await gateway.VerifyAsync(backup.Path, new VerifyOptions { ListArchive = world.Gateway.ListArchiveAsync });

        Assert.Contains(toc, line => line.Contains("TABLE DATA public Tickets"));
        var notAnArchive = world.PathFor("not-an-archive.dump");
        await File.WriteAllTextAsync(notAnArchive, "SELECT 1;\n");
        var exception = await Assert.ThrowsAsync<DataOperationException>(() => world.Gateway.ListArchiveAsync(notAnArchive));
        Assert.Contains("pg_restore", exception.Message);
    }

    [Fact]
    public async Task An_exact_restore_through_exec_also_drops_the_tables_created_after_the_backup()
    {
        await using var world = await InPodPostgres.StartAsync(tickets: 100);
        var before = await world.IntegrityAsync();
        var backup = await new PostgresBackupGateway().BackupAsync(world.Gateway.Dump(compression: 1), new BackupOptions(world.PathFor("b.dump")));
        await world.ExecuteAsync("CREATE TABLE tenants (id int PRIMARY KEY); INSERT INTO tenants VALUES (1)");

        var kept = await world.Gateway.RestoreAsync(backup.Path);
        Assert.Contains("public.tenants", kept.TableRows.Keys);
        var exact = await world.Gateway.RestoreAsync(backup.Path, dropTablesNotInBackup: true);

        Assert.DoesNotContain("public.tenants", exact.TableRows.Keys);
        Assert.Empty(before.CompareTo(await world.IntegrityAsync()));
    }

    [Fact]
    public async Task The_restore_test_restores_into_a_scratch_database_in_the_pod_and_drops_it()
    {
        await using var world = await InPodPostgres.StartAsync(tickets: 500);
        var backup = await new PostgresBackupGateway().BackupAsync(world.Gateway.Dump(compression: 1), new BackupOptions(world.PathFor("b.dump")));

        await world.Gateway.RestoreTestAsync(backup.Path);

        var databases = await world.Gateway.FactsAsync("postgres");
        Assert.NotNull(databases.ServerVersion);
        await using var connection = new Npgsql.NpgsqlConnection(world.Server.Target().ConnectionString);
        await connection.OpenAsync();
        var scratch = await new Npgsql.NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname LIKE 'twl_verify_%'", connection).ExecuteScalarAsync();
        Assert.Equal(0L, scratch);
    }

    [Fact]
    public async Task A_connection_that_drops_mid_stream_fails_the_backup_in_one_line_and_leaves_no_file()
    {
        await using var world = await InPodPostgres.StartAsync();
        world.Cluster.Sim!.Faults.DropExecAfter(200_000, "sh -c *");
        var path = world.PathFor("dropped.dump");

        var exception = await Assert.ThrowsAsync<DataOperationException>(() =>
            new PostgresBackupGateway().BackupAsync(world.Gateway.Dump(compression: 1), new BackupOptions(path)));

        Assert.Contains("connection dropped after", exception.Message);
        Assert.Contains("no backup file was written", exception.Message);
        Assert.DoesNotContain('\n', exception.Message);
        Assert.Empty(Directory.GetFileSystemEntries(world.Folder));
    }

    [Fact]
    public async Task A_pg_dump_that_fails_in_the_pod_fails_the_backup_in_one_line_and_leaves_no_file()
    {
        await using var world = await InPodPostgres.StartAsync(tickets: 10);
        var missing = new Cake.Cluster.Postgres.PodPostgres(world.Cluster.Gateway.Pods, world.Pod.WithDatabase("no_such_db"));

        var exception = await Assert.ThrowsAsync<DataOperationException>(() =>
            new PostgresBackupGateway().BackupAsync(missing.Dump(compression: 1), new BackupOptions(world.PathFor("failed.dump"))));

        Assert.Matches("^pg_dump failed \\(exit [1-9][0-9]*\\): .*no_such_db.*; nothing was written to .*failed.dump\\.$", exception.Message);
        Assert.DoesNotContain('\n', exception.Message);
        Assert.DoesNotContain(world.Server.Password, exception.Message);
        Assert.Empty(Directory.GetFileSystemEntries(world.Folder));
    }

    [Fact]
    public async Task A_backup_whose_manifest_differs_from_the_restored_rows_is_refused_after_restore()
    {
        await using var world = await InPodPostgres.StartAsync(tickets: 100);
        var backup = await new PostgresBackupGateway().BackupAsync(world.Gateway.Dump(compression: 1), new BackupOptions(world.PathFor("b.dump")));
        var manifest = await BackupManifest.ReadAsync(backup.Path);
        await (manifest with { TableRows = new Dictionary<string, long>(manifest.TableRows) { ["public.Tickets"] = 99 } }).WriteAsync(backup.Path);

        var exception = await Assert.ThrowsAsync<DataOperationException>(() => world.Gateway.RestoreAsync(backup.Path));

        Assert.Contains("public.Tickets: 100 rows, expected 99", exception.Message);
    }
}
