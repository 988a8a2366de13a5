using System.Globalization;
using TwisterLab.Data.Bench;

// Usage: dotnet run -c Release --project bench/Data -- [--scale=1.0] [--only=sqlite,backup,tenant,exec-backup,userpath,userpath-backup,progress,pgupgrade] [--pgupgrade-rows=300000,3000000] [--tenant-rows=5000000] [--runs=1]
//        [--userpath-rows=1000000,3000000] (the backup and restore sizes of userpath; userpath-backup runs only those)
//        [--data-dir=/tmp/twl-bench-data] [--contenders=twisterlab,pgloader,floor] [--bulk-server]
// Child verbs (run under /usr/bin/time by the harness): child-migrate <sqlite> <conn>, child-backup <conn> <path>, child-exec-backup <kubeconfig> <namespace> <db> <path>
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args.Length > 0 && args[0].StartsWith("child-", StringComparison.Ordinal)) return await Children.RunAsync(args);

var options = args.Where(a => a.StartsWith("--")).Select(a => a[2..].Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "true");
var scale = double.Parse(options.GetValueOrDefault("scale", "1.0"));
var only = options.GetValueOrDefault("only", "sqlite,backup,tenant").Split(',');
var tenantRows = long.Parse(options.GetValueOrDefault("tenant-rows", ((long)(5_000_000 * scale)).ToString()));
var runs = int.Parse(options.GetValueOrDefault("runs", "1"));
// A generated SQLite file is reused from --data-dir when present (generation takes longer than a migration).
var dataDirectory = options.GetValueOrDefault("data-dir");
var contenders = options.GetValueOrDefault("contenders", "twisterlab,pgloader,floor").Split(',');

var bulk = options.ContainsKey("bulk-server");
await using var bench = await BenchServer.StartAsync(bulk);
Console.WriteLine($"# TwisterLab data benchmarks  scale={scale} runs={runs} server={(bulk ? "bulk-load settings" : "defaults (+max_wal_size=4GB; throwaway: fsync=off)")}  PostgreSQL {bench.Version} on 127.0.0.1:{bench.Server.Port}  {Environment.ProcessorCount} CPUs  load average {File.ReadAllText("/proc/loadavg").Trim()}  {DateTime.UtcNow:u}");
if (only.Contains("sqlite")) await SqliteBench.RunAsync(bench, scale, runs, dataDirectory, contenders);
if (only.Contains("backup")) await BackupBench.RunAsync(bench, scale, runs);
if (only.Contains("tenant")) await TenantBench.RunAsync(bench, tenantRows);
if (only.Contains("exec-backup")) await ExecBackupBench.RunAsync(bench, scale, runs);
var userPathRows = options.GetValueOrDefault("userpath-rows", $"{(long)(1_000_000 * scale)},{(long)(3_000_000 * scale)}").Split(',').Select(long.Parse).ToList();
if (only.Contains("userpath")) await UserPathBench.RunAsync(bench, scale, runs, dataDirectory, userPathRows);
if (only.Contains("userpath-backup")) await UserPathBench.BackupsAsync(bench, runs, userPathRows);
if (only.Contains("progress")) await UserPathBench.ProgressCostAsync(bench, scale, runs, dataDirectory);
if (only.Contains("pgupgrade")) await UpgradePauseBench.RunAsync(scale, options.GetValueOrDefault("pgupgrade-rows", "300000,3000000").Split(','));
Console.WriteLine($"\nload average at the end: {File.ReadAllText("/proc/loadavg").Trim()} (the machine is shared; wall times move with it)");
return 0;
