using System.Text;
using k8s;

namespace TwisterLab.KubeSim.Tests;

public sealed class ExecTests : ClusterTest
{
    [Fact]
    public async Task KubectlExec_RunsTheCommandWithThePodEnvironment_AndPropagatesExitCodes()
    {
        await DeployTwisterLabAsync();
        var pod = (await PodsAsync()).First().Metadata.Name;

        Assert.Equal("hello\n", await Kubectl.SucceedAsync($"-n {Ns} exec {pod} -- echo hello"));
        var env = await Kubectl.SucceedAsync($"-n {Ns} exec {pod} -c twisterlab-api -- sh -c 'echo $DATABASE_URL $LOG_LEVEL'");
        Assert.Equal("postgresql://twisterlab:s3cret@postgres:5432/twisterlab info\n", env);

        var failed = await Kubectl.RunAsync($"-n {Ns} exec {pod} -- sh -c 'echo oops >&2; exit 3'");
        Assert.Equal(3, failed.ExitCode);
        Assert.Contains("oops", failed.StdErr);
        Assert.Contains("command terminated with exit code 3", failed.StdErr);

        var piped = await Kubectl.SucceedAsync($"-n {Ns} exec -i {pod} -- wc -c", stdin: "twelve bytes");
        Assert.Equal("12", piped.Trim());
    }

    [Fact]
    public async Task ClientExec_ReturnsStdoutAndExitCode_ThroughTheV4Protocol()
    {
        await DeployTwisterLabAsync();
        var pod = (await PodsAsync()).First().Metadata.Name;
        var output = new StringBuilder();
        var code = await Client.NamespacedPodExecAsync(pod, Ns, "twisterlab-api", ["sh", "-c", "echo from-client; exit 0"], false,
            async (stdin, stdout, stderr) =>
            {
                using var reader = new StreamReader(stdout);
                output.Append(await reader.ReadToEndAsync());
            }, CancellationToken.None);
        Assert.Equal(0, code);
        Assert.Equal("from-client\n", output.ToString());

        var failing = await Client.NamespacedPodExecAsync(pod, Ns, "twisterlab-api", ["sh", "-c", "exit 7"], false,
            (_, _, _) => Task.CompletedTask, CancellationToken.None);
        Assert.Equal(7, failing);
    }

    [Fact]
    public async Task CustomHandler_ReceivesTheRequest_AndItsOutputStreamsBack()
    {
        await DeployTwisterLabAsync();
        var recorder = new RecordingHandler();
        var cluster = await SimulatedCluster.StartAsync(new SimulatorOptions
        {
            PodStartDelay = TimeSpan.FromMilliseconds(50),
            ControllerInterval = TimeSpan.FromMilliseconds(50),
            ExecHandler = recorder,
        });
        await using var _ = cluster;
        var kubectl = new Kubectl(cluster);
        await kubectl.SucceedAsync($"apply -f {ManifestPath}");
        await kubectl.SucceedAsync($"-n {Ns} rollout status deployment/postgres --timeout=30s");
        using var client = new Kubernetes(cluster.ClientConfiguration);
        var pod = (await client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "app=postgres")).Items.First(p => p.Metadata.DeletionTimestamp is null);

        var dump = await kubectl.SucceedAsync($"-n {Ns} exec {pod.Metadata.Name} -- pg_dump -Fc twisterlab");
        Assert.Equal("dump of twisterlab\n", dump);
        var request = recorder.Requests.Single();
        Assert.Equal("postgres:15", request.Image);
        Assert.Equal(["pg_dump", "-Fc", "twisterlab"], request.Command);
        Assert.Equal("twisterlab", request.Environment["POSTGRES_DB"]);
        Assert.Equal(pod.Metadata.Name, request.Pod);
    }

    [Fact]
    public async Task LocalProcessHandler_AddsImageEnvironment_AndStreamsBinaryOutputIntact()
    {
        var handler = new LocalProcessExecHandler().WithImageEnvironment("postgres:*", new Dictionary<string, string>
        {
            ["PGHOST"] = "127.0.0.1",
            ["PGPORT"] = "55432",
        }).WithCommandRewrite("redis:*", argv => argv[0] == "redis-cli" ? ["echo", "redis-cli", "-p", "6390", .. argv.Skip(1)] : argv);
        var cluster = await SimulatedCluster.StartAsync(new SimulatorOptions
        {
            PodStartDelay = TimeSpan.FromMilliseconds(50),
            ControllerInterval = TimeSpan.FromMilliseconds(50),
            ExecHandler = handler,
        });
        await using var _ = cluster;
        var kubectl = new Kubectl(cluster);
        await kubectl.SucceedAsync($"apply -f {ManifestPath}");
        await kubectl.SucceedAsync($"-n {Ns} rollout status deployment/postgres --timeout=30s");
        using var client = new Kubernetes(cluster.ClientConfiguration);
        var postgres = (await client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "app=postgres")).Items.First(p => p.Metadata.DeletionTimestamp is null);
        var redis = (await client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "app=redis")).Items.First(p => p.Metadata.DeletionTimestamp is null);

        Assert.Equal("127.0.0.1:55432 twisterlab\n", await kubectl.SucceedAsync($"-n {Ns} exec {postgres.Metadata.Name} -- sh -c 'echo $PGHOST:$PGPORT $POSTGRES_DB'"));
        Assert.Equal(":\n", await kubectl.SucceedAsync($"-n {Ns} exec {redis.Metadata.Name} -- sh -c 'echo $PGHOST:$PGPORT'"));
        Assert.Equal("redis-cli -p 6390 PING\n", await kubectl.SucceedAsync($"-n {Ns} exec deployment/redis -- redis-cli PING"));
        var missing = await kubectl.RunAsync($"-n {Ns} exec deployment/redis -- no-such-binary");
        Assert.Equal(127, missing.ExitCode);
        Assert.Contains("no-such-binary", missing.StdErr);

        // A dump-sized binary stream must arrive byte for byte, split over many frames.
        var file = Path.GetTempFileName();
        var bytes = new byte[3 * 1024 * 1024 + 17];
        Random.Shared.NextBytes(bytes);
        await File.WriteAllBytesAsync(file, bytes);
        try
        {
            using var received = new MemoryStream();
            var code = await client.NamespacedPodExecAsync(postgres.Metadata.Name, Ns, "postgres", ["cat", file], false,
                async (_, stdout, _) => await stdout.CopyToAsync(received), CancellationToken.None);
            Assert.Equal(0, code);
            Assert.Equal(bytes, received.ToArray());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task PgDumpInsideThePostgresPod_StreamsARealDumpFromALocalServer()
    {
        await using var postgres = await ThrowawayPostgres.StartAsync();
        await postgres.PsqlAsync("create database twisterlab");
        await postgres.PsqlAsync("select 1");
        var cluster = await SimulatedCluster.StartAsync(new SimulatorOptions
        {
            PodStartDelay = TimeSpan.FromMilliseconds(50),
            ControllerInterval = TimeSpan.FromMilliseconds(50),
            ExecHandler = new LocalProcessExecHandler().WithImageEnvironment("postgres:*", postgres.ClientEnvironment),
        });
        await using var _ = cluster;
        var kubectl = new Kubectl(cluster);
        await kubectl.SucceedAsync($"apply -f {ManifestPath}");
        await kubectl.SucceedAsync($"-n {Ns} rollout status deployment/postgres --timeout=30s");
        using var client = new Kubernetes(cluster.ClientConfiguration);
        var pod = (await client.CoreV1.ListNamespacedPodAsync(Ns, labelSelector: "app=postgres")).Items.First(p => p.Metadata.DeletionTimestamp is null).Metadata.Name;

        await kubectl.SucceedAsync($"-n {Ns} exec {pod} -- psql -d twisterlab -c 'create table tenants (id int primary key, name text); insert into tenants values (1, $$acme$$)'");

        // The guide's backup: kubectl exec deployment/postgres -- pg_dump -Fc twisterlab > backup.dump
        var (dumpExit, dump, dumpErr) = await kubectl.RunRawAsync($"-n {Ns} exec deployment/postgres -- pg_dump -Fc twisterlab");
        Assert.True(dumpExit == 0, dumpErr);
        Assert.Equal("PGDMP", System.Text.Encoding.ASCII.GetString(dump, 0, 5));

        // ... and its restore: kubectl exec -i deployment/postgres -- pg_restore -d restored < backup.dump
        await kubectl.SucceedAsync($"-n {Ns} exec deployment/postgres -- createdb restored");
        var (restoreExit, _, restoreErr) = await kubectl.RunRawAsync($"-n {Ns} exec -i deployment/postgres -- pg_restore -d restored", dump);
        Assert.True(restoreExit == 0, restoreErr);
        Assert.Equal("acme\n", await kubectl.SucceedAsync($"-n {Ns} exec deployment/postgres -- psql -d restored -At -c 'select name from tenants'"));

        // A plain SQL script through stdin, as in "psql twisterlab < compose_export.sql".
        await kubectl.SucceedAsync($"-n {Ns} exec -i deployment/postgres -- psql -v ON_ERROR_STOP=1 -d twisterlab",
            stdin: "insert into tenants values (2, 'globex');\n");
        Assert.Equal("2\n", await kubectl.SucceedAsync($"-n {Ns} exec deployment/postgres -- psql -d twisterlab -At -c 'select count(*) from tenants'"));

        // The custom format through KubernetesClient's exec (v4 protocol) must be intact too.
        var file = Path.GetTempFileName();
        try
        {
            await using (var output = File.Create(file))
            {
                var code = await client.NamespacedPodExecAsync(pod, Ns, "postgres", ["pg_dump", "-Fc", "twisterlab"], false,
                    async (_, stdout, _) => await stdout.CopyToAsync(output), CancellationToken.None);
                Assert.Equal(0, code);
            }
            var list = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("pg_restore", ["--list", file]) { RedirectStandardOutput = true })!;
            var toc = await list.StandardOutput.ReadToEndAsync();
            await list.WaitForExitAsync();
            Assert.Equal(0, list.ExitCode);
            Assert.Contains("TABLE public tenants", toc);
        }
        finally
        {
            File.Delete(file);
        }
    }

    sealed class RecordingHandler : IExecHandler
    {
        public List<ExecRequest> Requests { get; } = [];

        public async Task<int> ExecAsync(ExecRequest request, Stream stdin, Stream stdout, Stream stderr, CancellationToken ct)
        {
            lock (Requests) Requests.Add(request);
            await stdout.WriteAsync(Encoding.UTF8.GetBytes($"dump of {request.Command[^1]}\n"), ct);
            return 0;
        }
    }
}
