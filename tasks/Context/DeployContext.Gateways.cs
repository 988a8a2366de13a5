using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Probes;
using TwisterLab.Cake.Safety;
using k8s;

namespace TwisterLab.Cake.Context;

/// <summary>The gateways a step reaches the world through, connected from the run's settings on first use.</summary>
public sealed partial class DeployContext
{
    private ClusterGateway? _cluster;
    private IEmbeddedCluster? _embedded;
    private RunLock? _lock;
    private SecretStash? _stash;
    private HttpProbe? _http;
    private string? _live;
    private string? _retired;

    /// <summary>
    /// The cluster. In a dry run this gateway only describes (its client points nowhere and is never called), so a
    /// plan needs no cluster at all.
    /// </summary>
    public ClusterGateway Cluster => _cluster ??= IsDryRun ? DescribeOnly() : Connect();

    /// <summary>
    /// Seals secret values the journal must keep (a previous DATABASE_URL). Bound to the key of the run whose journal
    /// is being written or undone (--run for a Rollback); the key lives outside the run folder (see RunStore.KeyFolderOf).
    /// </summary>
    public SecretStash SecretStash => _stash ??= new SecretStash(RunStore.KeyFolderOf(RunToUndo ?? RunId));

    public HttpProbe Http => _http ??= new HttpProbe();

    /// <summary>Renders kubectl command lines with this run's context and namespace, for plans of actions the gateway has no describer for.</summary>
    public Kubectl Kubectl => new(Settings.KubeContext, Settings.Namespace, IsDryRun ? Settings.Kubeconfig : null);

    /// <summary>Backups and restores: directly with --database-url, otherwise by exec in the postgres deployment.</summary>
    public DatabaseAccess Postgres => new(this);

    /// <summary>The database, reached directly: <c>--database-url</c> (e.g. through <c>kubectl port-forward svc/postgres 5432</c>).</summary>
    public PostgresTarget Database => Settings.DatabaseUrl is { } url
        ? PostgresTarget.Parse(url)
        : throw new BadInputException("This step needs --database-url=postgresql://user:pass@host:5432/twisterlab (for a database in the cluster, open it with: kubectl port-forward svc/postgres 5432:5432).");

    /// <summary>The application's name (the profile's deployment): its pods' app label, and the stem of green's name.</summary>
    public string App => Settings.Profile.Deployment;

    /// <summary>
    /// The deployment this run upgrades, migrates through and verifies: the one the API Service sends traffic to when
    /// the run first asks (its Preflight), kept for the whole run. After a blue-green switch that is green, whatever its
    /// name; before any, the profile's. A plan, which reads no cluster, names the profile's.
    /// </summary>
    public string Deployment => _live ??= IsDryRun ? App : ReadLive();

    /// <summary>
    /// The retired colour beside the live deployment (blue after a switch): what BlueGreenCleanup deletes and
    /// BlueGreenRollback brings back. Exactly one, or the run is refused naming what it found.
    /// </summary>
    public string RetiredDeployment => _retired ??= IsDryRun ? App : ReadRetired();

    private string ReadLive()
    {
        var app = AppDeployments.ReadAsync(Cluster, Settings.Profile.Service, CancellationToken).GetAwaiter().GetResult();
        var live = app.Live(out var ambiguity);
        if (ambiguity is not null)
        {
            throw new BadInputException($"{Target} cannot start: {ambiguity}.");
        }

        if (live is not null && live != App)
        {
            Log.Information("Live deployment: {0} (service/{1} selects it), not {2}.", live, Settings.Profile.Service, App);
        }

        return live ?? App;
    }

    private string ReadRetired()
    {
        var app = AppDeployments.ReadAsync(Cluster, Settings.Profile.Service, CancellationToken).GetAwaiter().GetResult();
        return app.Retired switch
        {
            [var retired] => retired.Metadata.Name,
            [] => throw new BadInputException($"{Target} cannot start: no retired deployment of {App} beside the live one ({AppDeployments.Names(app.Serving)}): nothing to {(Target == "BlueGreenCleanup" ? "clean up" : "go back to")}."),
            var several => throw new BadInputException($"{Target} cannot start: several retired deployments of {App} ({AppDeployments.Names(several)}): " +
                                                       "delete the ones you do not need (kubectl delete deployment/<name>), then run again."),
        };
    }

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
            : Announce(ClusterGateway.Connect(Configure(Connection()), Connection()));
    }

    /// <summary>Reads and logs which cluster this is as soon as the run reaches it, before any change.</summary>
    private ClusterGateway Announce(ClusterGateway gateway)
    {
        _identity = gateway.ReadIdentityAsync(CancellationToken).GetAwaiter().GetResult();
        Log.Information("Cluster: {0}, namespace {1}", _identity, Settings.Namespace);
        return gateway;
    }

    /// <summary>
    /// --cluster=embedded: the simulator, in this process, with the project's manifests applied (v1), for the length
    /// of the run. Its kubeconfig is logged so kubectl can follow along. (Rehearse adds real servers behind the pods.)
    /// </summary>
    private ClusterGateway StartEmbedded()
    {
        _embedded = EmbeddedClusters.StartAsync(Settings.Namespace, CancellationToken).GetAwaiter().GetResult();
        var gateway = Announce(_embedded.Gateway);
        foreach (var manifests in new[] { "base", "deployments" }.Select(folder => Path.Combine(Settings.ManifestsDir, folder)).Where(Directory.Exists))
        {
            gateway.Manifests.ApplyAsync(manifests, dryRun: false, CancellationToken).GetAwaiter().GetResult();
        }

        Log.Information("Embedded cluster: kubectl --kubeconfig {0} get all -n {1}", _embedded.KubeconfigPath, Settings.Namespace);
        return gateway;
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
        ClusterGateway.ForPlan(() => new Kubernetes(new KubernetesClientConfiguration { Host = "https://plan.invalid" }), Settings.Namespace, Settings.KubeContext, Settings.Kubeconfig);
}
