using k8s;
using k8s.Models;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Cluster.Postgres;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Tools;
using TwisterLab.Cake.Rehearsal;
using TwisterLab.KubeSim;

namespace TwisterLab.Data.Bench;

/// <summary>
/// (d) The in-cluster backup (pg_dump -Fc -Z1 in the postgres pod, streamed over the v5 WebSocket exec into a hashed
/// local file, with row counts in the dump's snapshot) against the same pg_dump run directly, and against the guide's
/// literal <c>kubectl exec deployment/postgres -- pg_dump ... &gt; file</c> through the real kubectl. The cluster is the
/// simulator in this harness process; its pod's pg_dump is a real local process (the rehearsal's exec handler), so the
/// difference to the direct run is what the exec path adds: WebSocket framing, the apiserver hop, the hashing copy.
/// </summary>
internal static class ExecBackupBench
{
    private const string Namespace = "default";

    public static async Task RunAsync(BenchServer bench, double scale, int runs)
    {
        Console.WriteLine("\n## (d) Backup through exec (simulator) vs the same pg_dump run directly");
        Console.WriteLine("| size | contender | seconds (median) | peak RSS MB | archive MB | vs direct pg_dump |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- |");
        var exec = new RehearsalExecHandler(Path.GetTempPath());
        await using var sim = await SimulatedCluster.StartAsync(new SimulatorOptions { PodStartDelay = TimeSpan.FromMilliseconds(50), ExecHandler = exec });
        using var gateway = ClusterGateway.Connect(sim.ClientConfiguration, new ClusterConnection(Namespace: Namespace));
        await CreatePostgresAsync(gateway);
        var kubectlCache = Directory.CreateTempSubdirectory("twl-bench-kubectl-").FullName;

        foreach (var (label, rows) in new[] { ("1x", (long)(1_000_000 * scale)), ("3x", (long)(3_000_000 * scale)) })
        {
            var db = await BackupBench.TicketsDatabaseAsync(bench, $"ex_{label}", rows);
            exec.WithPostgres("postgres:*", db); // the pod's tools now reach this database

            var pgDump = PgToolLocator.Find("pg_dump");
            var env = new Dictionary<string, string> { ["PGPASSWORD"] = bench.Server.Password };
            var kubectl = $"kubectl --kubeconfig {sim.KubeconfigPath} --cache-dir {kubectlCache} -n {Namespace}";
            var contenders = new (string Name, Func<string, Task<Measurement>> Run)[]
            {
                ("direct pg_dump -Fc -Z1 > file", path => Task.FromResult(Measurement.Run($"{pgDump} -Fc -Z1 -h 127.0.0.1 -p {bench.Server.Port} -U postgres {db.Database} > {path}", env).EnsureSuccess("pg_dump"))),
                ("guide: kubectl exec deployment/postgres -- pg_dump -Fc -Z1 > file", path => Task.FromResult(Measurement.Run($"{kubectl} exec deployment/postgres -- pg_dump -U postgres -Fc -Z1 {db.Database} > {path}").EnsureSuccess("kubectl exec"))),
                ("twisterlab backup through exec (in-process)", path => InProcessAsync(gateway, sim.KubeconfigPath, db.Database, path)),
            };
            var medians = new Dictionary<string, (Measurement M, long Bytes)>();
            foreach (var (name, run) in contenders)
            {
                var list = new List<(Measurement, long)>();
                for (var i = 0; i < runs; i++)
                {
                    var path = Path.Combine(bench.Folder, $"ex_{label}_{Guid.NewGuid():N}.dump");
                    var m = await run(path);
                    list.Add((m, new FileInfo(path).Length));
                    File.Delete(path);
                    File.Delete(BackupManifest.PathFor(path));
                }

                medians[name] = list.OrderBy(x => x.Item1.Seconds).ElementAt(list.Count / 2);
            }

            var direct = medians[contenders[0].Name].M.Seconds;
            foreach (var (name, _) in contenders)
            {
                var (m, bytes) = medians[name];
                Console.WriteLine($"| {label} ({rows:N0} rows) | {name} | {m.Seconds:F2} | {m.PeakMb:F0} | {bytes / 1048576.0:F1} | {m.Seconds / direct:F2} |");
            }
        }

        Directory.Delete(kubectlCache, recursive: true);
    }

    /// <summary>
    /// Timed in this process, the way the BackupDatabase step runs it; the peak RSS comes from the same backup run once
    /// more as a child process under GNU time, connected to this harness's simulator by kubeconfig (so the simulated
    /// apiserver's memory is not counted as ours).
    /// </summary>
    private static async Task<Measurement> InProcessAsync(ClusterGateway gateway, string kubeconfig, string database, string path)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await BackupAsync(gateway, database, path);
        var seconds = clock.Elapsed.TotalSeconds;
        var childPath = path + ".child";
        var child = Measurement.Run(Children.Command("child-exec-backup", kubeconfig, Namespace, database, childPath)).EnsureSuccess("twisterlab exec backup (child)");
        File.Delete(childPath);
        File.Delete(BackupManifest.PathFor(childPath));
        return child with { Seconds = seconds };
    }

    public static Task<BackupResult> BackupAsync(ClusterGateway gateway, string database, string path) =>
        new PostgresBackupGateway().BackupAsync(new PodPostgres(gateway.Pods, new PodDatabase("postgres", Namespace, "postgres", database)).Dump(compression: 1), new BackupOptions(path));

    private static async Task CreatePostgresAsync(ClusterGateway gateway)
    {
        var labels = new Dictionary<string, string> { ["app"] = "postgres" };
        await gateway.Client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "postgres" },
            Spec = new V1DeploymentSpec
            {
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = labels }, Spec = new V1PodSpec { Containers = [new V1Container { Name = "postgres", Image = "postgres:15" }] } },
            },
        }, Namespace);
        await gateway.Deployments.WaitForRolloutAsync("postgres", new RolloutWaitOptions(TimeSpan.FromMinutes(1)), CancellationToken.None);
    }
}
