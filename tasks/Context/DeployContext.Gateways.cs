using k8s;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Probes;
using TwisterLab.Cake.Rollback.Cluster;

namespace TwisterLab.Cake.Context;

/// <summary>The gateways a step reaches the world through, connected from the run's settings on first use.</summary>
public sealed partial class DeployContext
{
    private ClusterGateway? _cluster;
    private EmbeddedCluster? _embedded;
    private RunLock? _lock;
    private SecretStash? _stash;
    private HttpProbe? _http;

    /// <summary>
    /// The cluster. In a dry run this gateway only describes (its client points nowhere and is never called), so a
    /// plan needs no cluster at all.
    /// </summary>
    public ClusterGateway Cluster => _cluster ??= IsDryRun ? DescribeOnly() : Connect();

    /// <summary>
    /// Seals secret values the journal must keep (a previous DATABASE_URL). Bound to the folder of the run whose
    /// journal is being written or undone (--run for a Rollback).
    /// </summary>
    public SecretStash SecretStash => _stash ??= new SecretStash(Runs.FolderOf(Settings.RunId is { } undone ? Runs.Resolve(undone) : RunId));

    public HttpProbe Http => _http ??= new HttpProbe();

    /// <summary>Renders kubectl command lines with this run's context and namespace, for plans of actions the gateway has no describer for.</summary>
    public Kubectl Kubectl => new(Settings.KubeContext, Settings.Namespace);

    /// <summary>Backups and restores: directly with --database-url, otherwise by exec in the postgres deployment.</summary>
    public DatabaseAccess Postgres => new(this);

    /// <summary>The database, reached directly: <c>--database-url</c> (e.g. through <c>kubectl port-forward svc/postgres 5432</c>).</summary>
    public PostgresTarget Database => Settings.DatabaseUrl is { } url
        ? PostgresTarget.Parse(url)
        : throw new BadInputException("This step needs --database-url=postgresql://user:pass@host:5432/twisterlab (for a database in the cluster, open it with: kubectl port-forward svc/postgres 5432:5432).");

    public string Deployment => Settings.Profile.Deployment;

    public string Container => Settings.Profile.Container;

    /// <summary>The image this run deploys; Preflight has checked that --image-tag is there when a step needs it.</summary>
    public string NewImage => Settings.Image(Settings.ImageTag ?? "<image-tag>");

    /// <summary>A path as plans show it: relative to the working directory, so a plan reads the same on every machine.</summary>
    public string Shown(string path) => Path.GetRelativePath(Environment.WorkingDirectory.FullPath, path);

    /// <summary>The API's base URL: --api-url, else the profile's.</summary>
    public string ApiUrl => (Arguments.HasArgument(DeployArguments.ApiUrl) ? Arguments.GetArgument(DeployArguments.ApiUrl) : Settings.Profile.BaseUrl).TrimEnd('/');

    public string HealthUrl => Arguments.HasArgument(DeployArguments.ApiUrl) ? ApiUrl + "/health" : Settings.Profile.HealthUrl;

    public string MetricsUrl => ApiUrl + "/metrics";

    private ClusterGateway Connect()
    {
        if (Settings.IsKind)
        {
            var name = KindCluster.Name(Settings.ClusterKind!);
            if (!KindCluster.Exists(name))
            {
                throw new BadInputException($"There is no kind cluster '{name}' (kind get clusters): create it with kind create cluster --name {name}, or ./build.sh --target=SandboxUp --cluster=kind={name}.");
            }

            return ClusterGateway.Connect(new ClusterConnection(Settings.Kubeconfig, KindCluster.Context(name), Settings.Namespace));
        }

        return Settings.ClusterKind == "embedded"
            ? StartEmbedded()
            : ClusterGateway.Connect(new ClusterConnection(Settings.Kubeconfig, Settings.KubeContext, Settings.Namespace));
    }

    /// <summary>
    /// --cluster=embedded: the simulator, in this process, with the project's manifests applied (v1), for the length
    /// of the run. Its kubeconfig is logged so kubectl can follow along. (Rehearse adds real servers behind the pods.)
    /// </summary>
    private ClusterGateway StartEmbedded()
    {
        _embedded = EmbeddedCluster.StartAsync(Settings.Namespace, cancellationToken: CancellationToken).GetAwaiter().GetResult();
        var gateway = _embedded.Gateway;
        foreach (var manifests in new[] { "base", "deployments" }.Select(folder => Path.Combine(Settings.ManifestsDir, folder)).Where(Directory.Exists))
        {
            gateway.Manifests.ApplyAsync(manifests, dryRun: false, CancellationToken).GetAwaiter().GetResult();
        }

        Log.Information("Embedded cluster: kubectl --kubeconfig {0} get all -n {1}", _embedded.KubeconfigPath, Settings.Namespace);
        return gateway;
    }

    /// <summary>
    /// One run at a time per namespace: the Lease twisterlab-upgrade-lock, taken before this run's first change to a
    /// cluster and renewed while it runs. A second run fails here, naming the holder, before changing anything.
    /// </summary>
    private void EnsureLocked()
    {
        if (_cluster is null || IsDryRun)
        {
            return;
        }

        if (_lock is null)
        {
            _lock = _cluster.RunLock($"{System.Environment.UserName}@{System.Environment.MachineName} run {RunId} ({Target})");
            _lock.AcquireAsync(CancellationToken).GetAwaiter().GetResult();
        }

        _lock.EnsureHeld();
    }

    /// <summary>Releases the lock and stops what the run started for itself. Called by the lifetime's teardown, after any rollback.</summary>
    public async ValueTask ReleaseAsync()
    {
        if (_lock is not null)
        {
            await _lock.DisposeAsync();
        }

        if (_embedded is not null)
        {
            await _embedded.DisposeAsync();
        }
        else
        {
            _cluster?.Dispose();
        }
    }

    private ClusterGateway DescribeOnly() =>
        new(new Kubernetes(new KubernetesClientConfiguration { Host = "https://plan.invalid" }), Settings.Namespace, context: Settings.KubeContext);
}
