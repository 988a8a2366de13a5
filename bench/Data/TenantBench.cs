using System.Diagnostics;
using Npgsql;
using TwisterLab.Cake.Data;

namespace TwisterLab.Data.Bench;

/// <summary>
/// (c) tenant_id on a big table: our fast path vs the guide's alembic migration (nullable ADD COLUMN, CREATE INDEX,
/// UPDATE, SET NOT NULL — one transaction, as alembic runs it). A probe writes one row every 20 ms throughout; its
/// slowest write is how long the application was blocked.
/// </summary>
internal static class TenantBench
{
    public static async Task RunAsync(BenchServer bench, long rows)
    {
        Console.WriteLine($"\n## (c) Multi-tenant migration on a {rows:N0}-row table");
        Console.WriteLine("| path | total seconds | longest blocked write (ms) | probe writes |");
        Console.WriteLine("| --- | --- | --- | --- |");
        foreach (var path in new[] { "fast", "guide" })
        {
            var db = await bench.FreshDatabaseAsync($"tenant_{path}");
            await BenchServer.ExecuteAsync(db, $"""
                CREATE TABLE tickets AS SELECT g AS id, g % 10000 AS agent_id, md5(g::text) || repeat('x', 60) AS body FROM generate_series(1, {rows}) g;
                ALTER TABLE tickets ADD PRIMARY KEY (id);
                """);
            await BenchServer.ExecuteAsync(db, "VACUUM ANALYZE tickets");
            using var stop = new CancellationTokenSource();
            var probe = ProbeAsync(db, rows, stop.Token);
            var clock = Stopwatch.StartNew();
            if (path == "fast") await new TenantMigrator().MigrateAsync(db, new TenantMigrationOptions { Tables = ["tickets"] });
            else await GuidePathAsync(db);
            var total = clock.Elapsed.TotalSeconds;
            await Task.Delay(100);
            stop.Cancel();
            var (longest, writes) = await probe;
            var name = path == "fast" ? "twisterlab fast path (NOT NULL DEFAULT + CONCURRENTLY)" : "guide (nullable, index, UPDATE, SET NOT NULL; one tx)";
            Console.WriteLine($"| {name} | {total:F2} | {longest:F0} | {writes} |");
        }
    }

    private static async Task GuidePathAsync(PostgresTarget db)
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        foreach (var sql in new[]
                 {
                     "ALTER TABLE tickets ADD COLUMN tenant_id varchar(50)",
                     "CREATE INDEX ix_tickets_tenant ON tickets (tenant_id)",
                     "UPDATE tickets SET tenant_id = 'default' WHERE tenant_id IS NULL",
                     "ALTER TABLE tickets ALTER COLUMN tenant_id SET NOT NULL",
                 })
        {
            await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
            await command.ExecuteNonQueryAsync();
        }
        await transaction.CommitAsync();
    }

    private static async Task<(double LongestMs, int Writes)> ProbeAsync(PostgresTarget db, long rows, CancellationToken stop)
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync();
        var longest = 0.0;
        var writes = 0;
        var random = new Random(42);
        while (!stop.IsCancellationRequested)
        {
            var clock = Stopwatch.StartNew();
            await using (var command = new NpgsqlCommand("UPDATE tickets SET agent_id = agent_id WHERE id = $1", connection) { CommandTimeout = 0 })
            {
                command.Parameters.Add(new NpgsqlParameter { Value = random.NextInt64(1, rows) });
                await command.ExecuteNonQueryAsync();
            }
            longest = Math.Max(longest, clock.Elapsed.TotalMilliseconds);
            writes++;
            try { await Task.Delay(20, stop); } catch (OperationCanceledException) { break; }
        }
        return (longest, writes);
    }
}
