using TwisterLab.Cake.Data;
using TwisterLab.Cake.Tools;

namespace TwisterLab.Data.Bench;

/// <summary>(b) Our backup (manifest, snapshot-consistent counts, SHA-256 while streaming) vs the raw pg_dump it wraps, two sizes.</summary>
internal static class BackupBench
{
    /// <summary>A fresh database with one tickets table of the given size (the backup benches' subject).</summary>
    public static async Task<PostgresTarget> TicketsDatabaseAsync(BenchServer bench, string name, long rows)
    {
        var db = await bench.FreshDatabaseAsync(name);
        await BenchServer.ExecuteAsync(db, $"""
            CREATE TABLE tickets AS SELECT g AS id, g % 10000 AS agent_id, md5(g::text) || ' ' || repeat(md5((g * 31)::text), 4) AS body,
              g / 3.0 AS score, timestamp '2025-01-01' + g * interval '1 second' AS created_at FROM generate_series(1, {rows}) g;
            ALTER TABLE tickets ADD PRIMARY KEY (id);
            CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY); INSERT INTO alembic_version VALUES ('abc123');
            """);
        await BenchServer.ExecuteAsync(db, "VACUUM ANALYZE tickets");
        return db;
    }

    public static async Task RunAsync(BenchServer bench, double scale, int runs)
    {
        Console.WriteLine("\n## (b) Backup vs raw pg_dump");
        Console.WriteLine("| size | contender | seconds (median) | peak RSS MB | archive MB | ours/raw |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        foreach (var (label, rows) in new[] { ("1x", (long)(1_000_000 * scale)), ("3x", (long)(3_000_000 * scale)) })
        {
            var db = await TicketsDatabaseAsync(bench, $"bk_{label}", rows);
            var pgDump = PgToolLocator.Find("pg_dump");
            var env = new Dictionary<string, string> { ["PGPASSWORD"] = bench.Server.Password };
            var connection = $"-h 127.0.0.1 -p {bench.Server.Port} -U postgres {db.Database}";
            var contenders = new (string Name, Func<string, string> Command)[]
            {
                ("raw pg_dump -Fc -Z1 (what we wrap)", path => $"{pgDump} -Fc -Z1 -f {path} {connection}"),
                ("twisterlab backup (default -Fc -Z1, in-process)", path => Children.Command("child-backup", bench.Url(db.Database), path)),
                ("guide literal pg_dump -Fc (-Z6)", path => $"{pgDump} -Fc -f {path} {connection}"),
                ("raw pg_dump -Fd -j2 -Z1", path => $"{pgDump} -Fd -j2 -Z1 -f {path} {connection}"),
                ("twisterlab backup -Fd -j2 -Z1, in-process", path => Children.Command("child-backup", bench.Url(db.Database), path, "directory")),
            };
            var medians = new Dictionary<string, (Measurement M, long Bytes)>();
            foreach (var (name, command) in contenders)
            {
                var list = new List<(Measurement, long)>();
                for (var run = 0; run < runs; run++)
                {
                    var path = Path.Combine(bench.Folder, $"bk_{label}_{Guid.NewGuid():N}");
                    var m = name.StartsWith("twisterlab", StringComparison.Ordinal)
                        ? await InProcessAsync(db, path, name.Contains("-Fd"), command)
                        : Measurement.Run(command(path), env).EnsureSuccess(name);
                    list.Add((m, SizeOf(path)));
                    Delete(path);
                }
                medians[name] = list.OrderBy(x => x.Item1.Seconds).ElementAt(list.Count / 2);
            }
            var raw = medians[contenders[0].Name].M.Seconds;
            var rawDir = medians[contenders[3].Name].M.Seconds;
            foreach (var (name, _) in contenders)
            {
                var (m, bytes) = medians[name];
                var baseline = name.Contains("-Fd") ? rawDir : raw;
                Console.WriteLine($"| {label} ({rows:N0} rows) | {name} | {m.Seconds:F2} | {m.PeakMb:F0} | {bytes / 1048576.0:F1} | {m.Seconds / baseline:F2} |");
            }
        }
    }

    /// <summary>
    /// Our backup timed in this process, the way a Cake step runs it (no process start-up in the number); its peak RSS
    /// comes from the same backup run once more as a child process under GNU time.
    /// </summary>
    private static async Task<Measurement> InProcessAsync(PostgresTarget db, string path, bool directory, Func<string, string> childCommand)
    {
        var options = new BackupOptions(path);
        if (directory) options = options with { Format = TwisterLab.Cake.Tools.PgDumpFormat.Directory, Jobs = 2 };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await new PostgresBackupGateway().BackupAsync(db, options);
        var seconds = clock.Elapsed.TotalSeconds;
        var childPath = path + ".child";
        var child = Measurement.Run(childCommand(childPath)).EnsureSuccess("twisterlab backup (child)");
        Delete(childPath);
        return child with { Seconds = seconds };
    }

    private static long SizeOf(string path) => Directory.Exists(path)
        ? Directory.GetFiles(path).Sum(f => new FileInfo(f).Length)
        : new FileInfo(path).Length;

    private static void Delete(string path)
    {
        if (Directory.Exists(path)) Directory.Delete(path, true);
        else File.Delete(path);
        File.Delete(BackupManifest.PathFor(path));
    }
}
