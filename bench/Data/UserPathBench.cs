using System.Globalization;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Tools;

namespace TwisterLab.Data.Bench;

/// <summary>
/// (e) What a user runs, as a whole process: <c>./build.sh --target=…</c> (bootstrap, .NET start-up, Cake, the step,
/// its verification, the run report) timed by GNU time beside the command a user would otherwise type — pgloader,
/// raw pg_dump/pg_restore, the guide's literal pg_dump -Fc. Every round runs each contender once, in turn
/// (interleaved), so a load spike on the shared machine hits all of them; the table shows medians and the ratios of
/// medians. The host must be built already (a first ./build.sh does it) so no contender pays for MSBuild.
/// </summary>
internal static class UserPathBench
{
    public static async Task RunAsync(BenchServer bench, double scale, int runs, string? dataDirectory, IReadOnlyList<long> backupRows)
    {
        var (buildSh, common, backups) = Prepare(bench, runs);
        await StartUpAsync(bench, buildSh, runs);
        await ImportAsync(bench, scale, runs, dataDirectory, buildSh, common);
        foreach (var rows in backupRows)
            await BackupAndRestoreAsync(bench, rows, runs, buildSh, common, backups);
    }

    /// <summary>Only the backups and restores of (e), at the sizes given (what a fixed start-up cost weighs as the data grows).</summary>
    public static async Task BackupsAsync(BenchServer bench, int runs, IReadOnlyList<long> backupRows)
    {
        var (buildSh, common, backups) = Prepare(bench, runs);
        foreach (var rows in backupRows)
            await BackupAndRestoreAsync(bench, rows, runs, buildSh, common, backups);
    }

    private static (string BuildSh, string Common, string Backups) Prepare(BenchServer bench, int runs)
    {
        var root = RepositoryRoot();
        var buildSh = Path.Combine(root, "build.sh");
        Measurement.Run($"{buildSh} --version").EnsureSuccess("./build.sh --version (builds the host if a source changed)");
        var backups = Path.Combine(bench.Folder, "user-backups");
        Console.WriteLine($"\n## (e) The user's path: ./build.sh as a whole process (GNU time), interleaved, {runs} rounds, medians; repository {root}");
        // A pipeline runs a production target with --confirm (no terminal to ask); the backup folder is the harness's.
        return (buildSh, $"--confirm --backup-dir={backups}", backups);
    }

    /// <summary>
    /// (e') What progress costs (issue 16.5: at most 1 %): the same import and backup through ./build.sh with
    /// --progress=lines (a CI log: a line every few seconds per operation) and --progress=off, interleaved.
    /// </summary>
    public static async Task ProgressCostAsync(BenchServer bench, double scale, int runs, string? dataDirectory)
    {
        var buildSh = Path.Combine(RepositoryRoot(), "build.sh");
        Measurement.Run($"{buildSh} --version").EnsureSuccess("./build.sh --version (builds the host if a source changed)");
        var backups = Path.Combine(bench.Folder, "progress-backups");
        var common = $"--confirm --backup-dir={backups}";
        if (dataDirectory is not null) Directory.CreateDirectory(dataDirectory);
        var (file, total) = SqliteGenerator.Generate(dataDirectory ?? bench.Folder, scale);
        Console.WriteLine($"\n## (e') Progress on vs off through ./build.sh, {runs} interleaved rounds, medians; import of {total:N0} rows");
        var import = Interleave(runs, new (string, Func<int, string>)[]
        {
            ("ImportSqlite --progress=off", _ => Fresh(bench, "pc_off", db => $"{buildSh} --target=ImportSqlite --sqlite-path={file} --database-url={bench.Url(db)} {common} --progress=off")),
            ("ImportSqlite --progress=lines", _ => Fresh(bench, "pc_on", db => $"{buildSh} --target=ImportSqlite --sqlite-path={file} --database-url={bench.Url(db)} {common} --progress=lines")),
        }, () => KeepNewestBackup(backups));
        Print("import", import, baseline: "ImportSqlite --progress=off");
        var db = await BackupBench.TicketsDatabaseAsync(bench, "pc_backup", (long)(1_000_000 * scale));
        var backup = Interleave(runs, new (string, Func<int, string>)[]
        {
            ("BackupDatabase --progress=off", _ => $"{buildSh} --target=BackupDatabase --database-url={bench.Url(db.Database)} {common} --progress=off"),
            ("BackupDatabase --progress=lines", _ => $"{buildSh} --target=BackupDatabase --database-url={bench.Url(db.Database)} {common} --progress=lines"),
        }, () => KeepNewestBackup(backups));
        Print("backup", backup, baseline: "BackupDatabase --progress=off");
        foreach (var (what, rows) in new[] { ("import", import), ("backup", backup) })
        {
            var (off, on) = (rows.Values.First(), rows.Values.Last());
            Console.WriteLine($"{what}: progress on/off, wall {Median(on).Seconds / Median(off).Seconds:F3}, CPU {Median(on, x => x.CpuSeconds) / Median(off, x => x.CpuSeconds):F3}");
        }
        foreach (var entry in Directory.GetFileSystemEntries(backups)) Delete(entry);
    }

    /// <summary>
    /// A user's machine has a kubeconfig (this one has none): the dry run is timed both ways, since reading it is part
    /// of every run's start (the plan's head names the cluster from it).
    /// </summary>
    private static Task StartUpAsync(BenchServer bench, string buildSh, int runs)
    {
        var kubeconfig = Path.Combine(bench.Folder, "kubeconfig");
        File.WriteAllText(kubeconfig, """
            apiVersion: v1
            kind: Config
            clusters:
            - name: prod
              cluster: {server: "https://10.0.0.1:6443", insecure-skip-tls-verify: true}
            users:
            - name: deployer
              user: {token: not-a-real-token}
            contexts:
            - name: prod
              context: {cluster: prod, user: deployer, namespace: twisterlab}
            current-context: prod
            """);
        var rows = Interleave(runs, new (string, Func<int, string>)[]
        {
            ("./build.sh --target=BackupDatabase --dryrun", _ => $"{buildSh} --target=BackupDatabase --dryrun"),
            ("same, with a kubeconfig ($KUBECONFIG)", _ => $"KUBECONFIG={kubeconfig} {buildSh} --target=BackupDatabase --dryrun"),
            ("./build.sh --version", _ => $"{buildSh} --version"),
        });
        Print("start-up (warm)", rows, baseline: null);
        return Task.CompletedTask;
    }

    private static async Task ImportAsync(BenchServer bench, double scale, int runs, string? dataDirectory, string buildSh, string common)
    {
        if (dataDirectory is not null) Directory.CreateDirectory(dataDirectory);
        var (file, total) = SqliteGenerator.Generate(dataDirectory ?? bench.Folder, scale);
        var ours = $"./build.sh --target=ImportSqlite --sqlite-path={file} --database-url=…";
        var contenders = new List<(string, Func<int, string>)>
        {
            (ours, _ => Fresh(bench, "up_ours", db => $"{buildSh} --target=ImportSqlite --sqlite-path={file} --database-url={bench.Url(db)} {common}")),
            ("pgloader sqlite://… postgresql://…", _ => Fresh(bench, "up_pgloader", db => $"pgloader --dynamic-space-size 4096 sqlite://{file} {bench.Url(db)}")),
        };
        if (Environment.GetEnvironmentVariable("TWL_BENCH_EXPORT_SQL") == "1")
            contenders.Add(("same, with --export-sql", _ => Fresh(bench, "up_ours_sql", db => $"{buildSh} --target=ImportSqlite --sqlite-path={file} --database-url={bench.Url(db)} {common} --export-sql")));
        Console.WriteLine($"\n### SQLite -> PostgreSQL, {total:N0} rows, {new FileInfo(file).Length / 1048576.0:F0} MB file (verification on; ours also keeps a hashed copy of the file)");
        var rows = Interleave(runs, contenders);
        Print("import", rows, baseline: "pgloader sqlite://… postgresql://…", higherIsFaster: true);
        var imported = await BenchServer.ScalarAsync<long>(bench.Server.Target("up_ours"), "SELECT (SELECT count(*) FROM tickets) + (SELECT count(*) FROM events) + (SELECT count(*) FROM agents)");
        Console.WriteLine($"ours left {imported:N0} of {total:N0} rows in PostgreSQL; its report's detail (where the time went) is in .twisterlab/runs/<run>/report.json");
    }

    private static async Task BackupAndRestoreAsync(BenchServer bench, long rows, int runs, string buildSh, string common, string backups)
    {
        var db = await BackupBench.TicketsDatabaseAsync(bench, $"up_bk_{rows}", rows);
        var pgDump = PgToolLocator.Find("pg_dump");
        var pgRestore = PgToolLocator.Find("pg_restore");
        var connection = $"-h 127.0.0.1 -p {bench.Server.Port} -U postgres";
        var jobs = BackupOptions.DirectJobs;
        var password = $"PGPASSWORD={bench.Server.Password}";
        string Target(string name, int run) => Path.Combine(backups, $"{name}_{run}_{Guid.NewGuid():N}.dump");
        Console.WriteLine($"\n### Backup and restore, one table of {rows:N0} rows ({await BenchServer.ScalarAsync<string>(db, "SELECT pg_size_pretty(pg_database_size(current_database()))")})");

        var backupRows = Interleave(runs, new (string, Func<int, string>)[]
        {
            ("./build.sh --target=BackupDatabase --database-url=…", run => $"{buildSh} --target=BackupDatabase --database-url={bench.Url(db.Database)} {common}"),
            ($"raw pg_dump -Fd -j{jobs} -Z1 (what we wrap)", run => $"{password} {pgDump} -Fd -j{jobs} -Z1 -f {Target("raw_fd", run)} {connection} {db.Database}"),
            ("raw pg_dump -Fc -Z1", run => $"{password} {pgDump} -Fc -Z1 -f {Target("raw_fc", run)} {connection} {db.Database}"),
            ("guide: pg_dump -Fc", run => $"{password} {pgDump} -Fc -f {Target("guide", run)} {connection} {db.Database}"),
        }, () => KeepNewestBackup(backups));
        Print($"backup, {rows:N0} rows", backupRows, baseline: $"raw pg_dump -Fd -j{jobs} -Z1 (what we wrap)");
        var guide = Median(backupRows["guide: pg_dump -Fc"]);
        Console.WriteLine($"ours vs the guide's pg_dump -Fc: {guide.Seconds / Median(backupRows["./build.sh --target=BackupDatabase --database-url=…"]).Seconds:F2}x faster");

        // The restore a user runs is FullRollback's: a safety backup of the database as it is, then pg_restore over it
        // (a directory-format folder: a job per core), then the row counts checked against the manifest. The raw pair does the same two commands.
        var backup = NewestOurs(backups)!;
        var restoreRows = Interleave(runs, new (string, Func<int, string>)[]
        {
            ("./build.sh --target=RestoreDatabase --backup=… --database-url=…", run => $"{buildSh} --target=RestoreDatabase --backup={backup} --database-url={bench.Url(db.Database)} {common}"),
            ($"raw pg_dump -Fd -j{jobs} -Z1 && pg_restore --clean --if-exists -j{jobs}", run =>
                $"{password} {pgDump} -Fd -j{jobs} -Z1 -f {Target("raw_safety", run)} {connection} {db.Database} && {password} {pgRestore} --clean --if-exists -j{jobs} {connection} -d {db.Database} {backup}"),
            ($"raw pg_restore --clean --if-exists -j{jobs} alone", run => $"{password} {pgRestore} --clean --if-exists -j{jobs} {connection} -d {db.Database} {backup}"),
        }, () => KeepNewestBackup(backups));
        Print($"restore, {rows:N0} rows", restoreRows, baseline: $"raw pg_dump -Fd -j{jobs} -Z1 && pg_restore --clean --if-exists -j{jobs}");
        foreach (var entry in Directory.GetFileSystemEntries(backups)) Delete(entry);
    }

    /// <summary>
    /// Each round runs every contender once, in the given order; returns every measurement by contender. Each starts on
    /// a settled disk: the previous contender's writes (a 0.6 GB database, a backup) are flushed first, so their
    /// writeback is not timed in the next one's run.
    /// </summary>
    private static Dictionary<string, List<Measurement>> Interleave(int runs, IReadOnlyList<(string Name, Func<int, string> Command)> contenders, Action? afterEach = null)
    {
        var results = contenders.ToDictionary(c => c.Name, _ => new List<Measurement>());
        for (var run = 0; run < runs; run++)
        {
            foreach (var (name, command) in contenders)
            {
                var line = command(run);
                Measurement.Run("sync").EnsureSuccess("sync");
                var m = Measurement.Run(line).EnsureSuccess(name);
                var load = File.ReadAllText("/proc/loadavg").Split(' ')[0];
                Console.WriteLine($"  round {run + 1}: {name}: wall {m.Seconds:F2}s cpu {m.CpuSeconds:F2}s peak {m.PeakMb:F0} MB load {load}");
                results[name].Add(m);
                afterEach?.Invoke();
            }
        }
        return results;
    }

    private static void Print(string what, Dictionary<string, List<Measurement>> results, string? baseline, bool higherIsFaster = false)
    {
        Console.WriteLine($"| {what} | wall s (median) | runs | CPU s (client + children) | peak RSS MB | {(baseline is null ? "" : higherIsFaster ? "x faster than " + baseline : "x of " + baseline)} |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        var reference = baseline is null ? null : Median(results[baseline]);
        foreach (var (name, list) in results)
        {
            var m = Median(list);
            var ratio = reference is null ? "" : higherIsFaster ? $"{reference.Seconds / m.Seconds:F2}x" : $"{m.Seconds / reference.Seconds:F2}";
            var runs = string.Join(" ", list.Select(x => x.Seconds.ToString("F1", CultureInfo.InvariantCulture)));
            Console.WriteLine($"| {name} | {m.Seconds:F2} | {runs} | {Median(list, x => x.CpuSeconds):F2} | {list.Max(x => x.PeakMb):F0} | {ratio} |");
        }
        Console.WriteLine($"load average now: {File.ReadAllText("/proc/loadavg").Trim()}");
    }

    private static string Fresh(BenchServer bench, string database, Func<string, string> command)
    {
        bench.FreshDatabaseAsync(database).GetAwaiter().GetResult();
        return command(database);
    }

    private static Measurement Median(List<Measurement> list) => list.OrderBy(m => m.Seconds).ElementAt(list.Count / 2);

    private static double Median(List<Measurement> list, Func<Measurement, double> value) => list.Select(value).OrderBy(v => v).ElementAt(list.Count / 2);

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "build.sh"))) return dir.FullName;
        throw new InvalidOperationException("build.sh not found above the bench's folder.");
    }

    /// <summary>Between contenders: only the newest backup of ours stays (the restore's subject); a 3M-row round writes ~0.6 GB.</summary>
    private static void KeepNewestBackup(string backups)
    {
        if (!Directory.Exists(backups)) return;
        var keep = NewestOurs(backups);
        foreach (var entry in Directory.GetFileSystemEntries(backups).Where(e => keep is null || !e.StartsWith(keep, StringComparison.Ordinal))) Delete(entry);
    }

    /// <summary>Our newest backup: a folder when direct (directory format), found by its manifest, which is written last.</summary>
    private static string? NewestOurs(string backups) =>
        Directory.GetFiles(backups, "backup_pre_upgrade_*.manifest.json").OrderBy(File.GetLastWriteTimeUtc).Select(m => m[..^".manifest.json".Length]).LastOrDefault();

    private static void Delete(string path)
    {
        if (Directory.Exists(path)) Directory.Delete(path, true);
        else File.Delete(path);
    }
}
