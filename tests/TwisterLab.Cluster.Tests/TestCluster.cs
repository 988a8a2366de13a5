using System.Diagnostics;
using k8s;
using k8s.Models;
using TwisterLab.Cake.Cluster;
using TwisterLab.KubeSim;

namespace TwisterLab.Cluster.Tests;

/// <summary>
/// A cluster for one test: the simulator (fast clocks), or the real cluster named by TWISTERLAB_TEST_KUBECONTEXT.
/// Each test gets its own namespace, deleted at the end on a real cluster.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    public const string RealContextVariable = "TWISTERLAB_TEST_KUBECONTEXT";

    private readonly string _cacheDir = Directory.CreateTempSubdirectory("cluster-tests-kubectl-").FullName;

    private TestCluster(SimulatedCluster? sim, ClusterGateway gateway, string kubeconfig, string? context)
    {
        Sim = sim;
        Gateway = gateway;
        KubeconfigPath = kubeconfig;
        Context = context;
    }

    /// <summary>Null on a real cluster (fault injection is simulator-only).</summary>
    public SimulatedCluster? Sim { get; }

    public ClusterGateway Gateway { get; }

    public string Namespace => Gateway.Namespace;

    public IKubernetes Client => Gateway.Client;

    public string KubeconfigPath { get; }

    public string? Context { get; }

    public static string? RealContext => Environment.GetEnvironmentVariable(RealContextVariable) is { Length: > 0 } context ? context : null;

    public static readonly RetryOptions FastRetry = new(6, TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200));

    public static async Task<TestCluster> StartSimulatorAsync(Action<SimulatorOptions>? configure = null)
    {
        var options = new SimulatorOptions { PodStartDelay = TimeSpan.FromMilliseconds(60), ControllerInterval = TimeSpan.FromMilliseconds(25) };
        configure?.Invoke(options);
        var sim = await SimulatedCluster.StartAsync(options);
        var ns = NewNamespaceName();
        var gateway = ClusterGateway.Connect(sim.ClientConfiguration, new ClusterConnection(Namespace: ns) { Retry = FastRetry });
        var cluster = new TestCluster(sim, gateway, sim.KubeconfigPath, null);
        await cluster.CreateNamespaceAsync();
        return cluster;
    }

    public static async Task<TestCluster> StartRealAsync()
    {
        var context = RealContext ?? throw new InvalidOperationException($"{RealContextVariable} is not set");
        var kubeconfig = Environment.GetEnvironmentVariable("KUBECONFIG") is { Length: > 0 } path ? path.Split(Path.PathSeparator)[0]
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config");
        var gateway = ClusterGateway.Connect(new ClusterConnection(kubeconfig, context, NewNamespaceName()));
        var cluster = new TestCluster(null, gateway, kubeconfig, context);
        await cluster.CreateNamespaceAsync();
        return cluster;
    }

    private static string NewNamespaceName() => "t-" + Guid.NewGuid().ToString("N")[..10];

    private async Task CreateNamespaceAsync() =>
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } });

    public async Task<V1Deployment> CreateDeploymentAsync(string name, string image, int replicas = 2, IDictionary<string, string>? extraLabels = null, int? progressDeadlineSeconds = null, string container = "app")
    {
        var labels = new Dictionary<string, string> { ["app"] = name };
        foreach (var (key, value) in extraLabels ?? new Dictionary<string, string>())
        {
            labels[key] = value;
        }

        var deployment = new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = Namespace },
            Spec = new V1DeploymentSpec
            {
                Replicas = replicas,
                ProgressDeadlineSeconds = progressDeadlineSeconds,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = container, Image = image }] },
                },
            },
        };
        return await Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, Namespace);
    }

    public async Task<V1Service> CreateServiceAsync(string name, IDictionary<string, string> selector) =>
        await Client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1ServiceSpec { Selector = selector, Ports = [new V1ServicePort { Port = 80, TargetPort = 8080 }] },
        }, Namespace);

    public Task<string> WaitRolledOutAsync(string name) =>
        Gateway.Deployments.WaitForRolloutAsync(name, new RolloutWaitOptions(TimeSpan.FromSeconds(30)), CancellationToken.None);

    public sealed record KubectlResult(int ExitCode, string StdOut, string StdErr);

    /// <summary>Runs the real kubectl with these arguments against this cluster.</summary>
    public async Task<KubectlResult> KubectlAsync(IEnumerable<string> arguments, string? stdinFile = null, string? stdoutFile = null)
    {
        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add("--kubeconfig");
        start.ArgumentList.Add(KubeconfigPath);
        start.ArgumentList.Add("--cache-dir");
        start.ArgumentList.Add(_cacheDir);
        if (Context is not null && !arguments.Contains("--context"))
        {
            start.ArgumentList.Add("--context");
            start.ArgumentList.Add(Context);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        Task copyOut;
        Task<string> stdout;
        if (stdoutFile is not null)
        {
            var file = File.Create(stdoutFile);
            copyOut = process.StandardOutput.BaseStream.CopyToAsync(file).ContinueWith(_ => file.Dispose());
            stdout = Task.FromResult("");
        }
        else
        {
            stdout = process.StandardOutput.ReadToEndAsync();
            copyOut = stdout;
        }

        var stderr = process.StandardError.ReadToEndAsync();
        if (stdinFile is not null)
        {
            await using var input = File.OpenRead(stdinFile);
            await input.CopyToAsync(process.StandardInput.BaseStream);
        }

        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        await copyOut;
        return new KubectlResult(process.ExitCode, await stdout, await stderr);
    }

    public async Task<string> KubectlSucceedsAsync(KubectlCommand command, string? stdinFile = null, string? stdoutFile = null)
    {
        var result = await KubectlAsync(command.Arguments, stdinFile, stdoutFile);
        Assert.True(result.ExitCode == 0, $"{command}\nexit {result.ExitCode}\n{result.StdOut}\n{result.StdErr}");
        return result.StdOut;
    }

    public async ValueTask DisposeAsync()
    {
        if (Sim is null)
        {
            try
            {
                await Client.CoreV1.DeleteNamespaceAsync(Namespace);
            }
            catch (Exception)
            {
                // best effort on a real cluster
            }
        }

        Gateway.Dispose();
        if (Sim is not null)
        {
            await Sim.DisposeAsync();
        }

        try
        {
            Directory.Delete(_cacheDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
