using TwisterLab.Cake.Data;
using TwisterLab.Cake.Tools;

namespace TwisterLab.Data.Bench;

/// <summary>(a) SQLite → PostgreSQL: ours (verification on) vs pgloader vs the floor (sqlite3 -csv | COPY, data only).</summary>
internal static class SqliteBench
{
    public static async Task RunAsync(BenchServer bench, double scale, int runs, string? dataDirectory, string[] contenders)
    {
        if (dataDirectory is not null) Directory.CreateDirectory(dataDirectory);
        var (file, rows) = SqliteGenerator.Generate(dataDirectory ?? bench.Folder, scale);
        Console.WriteLine($"\n## (a) SQLite -> PostgreSQL  {rows:N0} rows, {new FileInfo(file).Length / 1048576.0:F0} MB file");
        var results = new Dictionary<string, List<Measurement>> { ["twisterlab"] = [], ["twisterlab-noverify"] = [], ["pgloader"] = [], ["floor"] = [] };
        for (var run = 0; run < runs; run++)
        {
            if (contenders.Contains("twisterlab"))
            {
                await bench.FreshDatabaseAsync("mig_ours");
                var before = bench.ServerCpuSeconds();
                var m = Measurement.Run(Children.Command("child-migrate", file, bench.Url("mig_ours"))).EnsureSuccess("twisterlab migrate");
                m = m with { ServerCpuSeconds = bench.ServerCpuSeconds() - before };
                Console.WriteLine($"twisterlab run {run + 1}: wall {m.Seconds:F1}s client cpu {m.CpuSeconds:F1}s server cpu {m.ServerCpuSeconds:F1}s load {Load()} {m.Output.Trim()}");
                results["twisterlab"].Add(m);
            }
            if (contenders.Contains("twisterlab-noverify"))
            {
                await bench.FreshDatabaseAsync("mig_ours_nv");
                var before = bench.ServerCpuSeconds();
                var m = Measurement.Run(Children.Command("child-migrate", file, bench.Url("mig_ours_nv"), "no-verify")).EnsureSuccess("twisterlab migrate (no verify)");
                m = m with { ServerCpuSeconds = bench.ServerCpuSeconds() - before };
                Console.WriteLine($"twisterlab (verify off) run {run + 1}: wall {m.Seconds:F1}s client cpu {m.CpuSeconds:F1}s server cpu {m.ServerCpuSeconds:F1}s {m.Output.Trim()}");
                results["twisterlab-noverify"].Add(m);
            }
            if (contenders.Contains("pgloader"))
            {
                await bench.FreshDatabaseAsync("mig_pgloader");
                var before = bench.ServerCpuSeconds();
                var m = Measurement.Run($"pgloader --dynamic-space-size 4096 sqlite://{file} {bench.Url("mig_pgloader")}").EnsureSuccess("pgloader");
                m = m with { ServerCpuSeconds = bench.ServerCpuSeconds() - before };
                Console.WriteLine($"pgloader run {run + 1}: wall {m.Seconds:F1}s client cpu {m.CpuSeconds:F1}s server cpu {m.ServerCpuSeconds:F1}s peak {m.PeakMb:F0} MB load {Load()}");
                results["pgloader"].Add(m);
            }
            if (contenders.Contains("floor"))
            {
                var floorDb = await bench.FreshDatabaseAsync("mig_floor");
                var before = bench.ServerCpuSeconds();
                var m = await FloorAsync(bench, floorDb, file);
                m = m with { ServerCpuSeconds = bench.ServerCpuSeconds() - before };
                Console.WriteLine($"floor run {run + 1}: wall {m.Seconds:F1}s client cpu {m.CpuSeconds:F1}s server cpu {m.ServerCpuSeconds:F1}s load {Load()}");
                results["floor"].Add(m);
            }
        }
        var missing = new Measurement(double.NaN, 0, 0, "");
        var ours = results["twisterlab"].Count > 0 ? Median(results["twisterlab"]) : missing;
        var pgloader = results["pgloader"].Count > 0 ? Median(results["pgloader"]) : missing;
        var floor = results["floor"].Count > 0 ? Median(results["floor"]) : missing;
        Console.WriteLine("| contender | seconds (median) | rows/s | peak RSS MB | client CPU s | server CPU s | total CPU s | vs pgloader (wall) | vs pgloader (total CPU) |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        var noVerify = results["twisterlab-noverify"].Count > 0 ? Median(results["twisterlab-noverify"]) : missing;
        // Only the contenders that ran: a row of NaN says nothing.
        foreach (var (name, m) in new[] { ("twisterlab (verify on)", ours), ("twisterlab (verify off)", noVerify), ("pgloader 3.6", pgloader), ("floor: sqlite3 -csv | COPY, no keys", floor) }.Where(row => !ReferenceEquals(row.Item2, missing)))
            Console.WriteLine($"| {name} | {m.Seconds:F1} | {rows / m.Seconds:N0} | {m.PeakMb:F0} | {m.CpuSeconds:F1} | {m.ServerCpuSeconds:F1} | {m.CpuSeconds + m.ServerCpuSeconds:F1} | {pgloader.Seconds / m.Seconds:F2}x | {(pgloader.CpuSeconds + pgloader.ServerCpuSeconds) / (m.CpuSeconds + m.ServerCpuSeconds):F2}x |");
        Console.WriteLine($"ratio twisterlab/pgloader rows/s = {pgloader.Seconds / ours.Seconds:F2}x wall, {(pgloader.CpuSeconds + pgloader.ServerCpuSeconds) / (ours.CpuSeconds + ours.ServerCpuSeconds):F2}x total CPU (goal >= 3x); twisterlab/floor time = {ours.Seconds / floor.Seconds:F2}");
        foreach (var (name, database) in new[] { ("twisterlab", "mig_ours"), ("pgloader", "mig_pgloader"), ("floor", "mig_floor") }.Where(c => contenders.Contains(c.Item1)))
        {
            var target = bench.Server.Target(database);
            var check = await BenchServer.ScalarAsync<long>(target, "SELECT (SELECT count(*) FROM tickets) + (SELECT count(*) FROM events) + (SELECT count(*) FROM agents)");
            var indexes = await BenchServer.ScalarAsync<long>(target, "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'");
            var foreignKeys = await BenchServer.ScalarAsync<long>(target, "SELECT count(*) FROM pg_constraint WHERE contype = 'f'");
            Console.WriteLine($"{name}: {check:N0} of {rows:N0} rows, {indexes} indexes, {foreignKeys} foreign keys in PostgreSQL");
        }
    }

    private static async Task<Measurement> FloorAsync(BenchServer bench, PostgresTarget db, string file)
    {
        await BenchServer.ExecuteAsync(db, """
            CREATE TABLE agents (id bigint, name text, kind text, active boolean, created_at timestamp);
            CREATE TABLE tickets (id bigint, agent_id bigint, title text, body text, priority bigint, score double precision, created_at timestamp);
            CREATE TABLE events (id bigint, ticket_id bigint, kind text, payload bytea, at timestamp);
            """);
        var psql = $"{PgToolLocator.Find("psql")} -q {bench.Url(db.Database)}";
        var pipes = string.Join(" && ", new[]
        {
            ("agents", "id, name, kind, CASE active WHEN 1 THEN 't' ELSE 'f' END, created_at"),
            ("tickets", "id, agent_id, title, body, priority, score, created_at"),
            ("events", "id, ticket_id, kind, '\\x' || hex(payload), at"),
        }.Select(t => $"sqlite3 -csv {file} \"SELECT {t.Item2} FROM {t.Item1}\" | {psql} -c \"COPY {t.Item1} FROM STDIN (FORMAT csv)\""));
        return Measurement.Run(pipes).EnsureSuccess("floor");
    }

    /// <summary>The 1-minute load average right after a contender ran: how shared the machine was.</summary>
    private static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    internal static Measurement Median(List<Measurement> list) => list.OrderBy(m => m.Seconds).ElementAt(list.Count / 2);
}
