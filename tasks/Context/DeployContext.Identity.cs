using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Context;

/// <summary>Which cluster this run changes, and the journal it undoes: runs are bound to (cluster id, namespace, environment).</summary>
public sealed partial class DeployContext
{
    private ClusterIdentity? _identity;
    private string? _runToUndo;
    private bool _runToUndoResolved;

    /// <summary>
    /// A rehearsal (the Rehearse target, its runs with --environment=rehearsal, or --cluster=embedded): its runs and backups
    /// live under .twisterlab/rehearsal/ and never mix with real ones.
    /// </summary>
    public bool IsRehearsal => Settings.IsRehearsal || Options.Targets[^1] == "Rehearse";

    /// <summary>The cluster as read on connecting: server, context and kube-system UID (connects on first use; not in a dry run).</summary>
    public ClusterIdentity Identity => _identity ??= IsDryRun
        ? throw new InvalidOperationException("A dry run reads no cluster identity.")
        : Cluster.ReadIdentityAsync(CancellationToken).GetAwaiter().GetResult();

    /// <summary>
    /// This run's binding. A real run reads the cluster's id (connecting if needed); a dry run names the server from the
    /// kubeconfig only, without calling it.
    /// </summary>
    public ClusterBinding Binding => IsDryRun
        ? new ClusterBinding(null, PlannedCluster().Server, PlannedCluster().Context, Settings.Namespace, Settings.Environment, IsRehearsal)
        : ClusterBinding.Of(Identity, Settings.Namespace, Settings.Environment, IsRehearsal);

    /// <summary>
    /// The binding a new journal records: the cluster's, connecting now if no step has yet; a run with no kubeconfig at all
    /// (data only) is bound to its namespace and environment alone.
    /// </summary>
    public ClusterBinding BindingToRecord()
    {
        try
        {
            return Binding;
        }
        catch (BadInputException) when (_cluster is null)
        {
            return Unbound();
        }
    }

    /// <summary>The binding for the report: null when the run never reached a cluster (a refused argument, a plan).</summary>
    public ClusterBinding? ReachedBinding => _identity is null ? null : ClusterBinding.Of(_identity, Settings.Namespace, Settings.Environment, IsRehearsal);

    /// <summary>
    /// The run --run names, 'latest' resolved to the newest unfinished run of this cluster, namespace and environment;
    /// null when there is none at all (nothing to undo).
    /// </summary>
    public string? RunToUndo
    {
        get
        {
            if (!_runToUndoResolved && Settings.RunId is { } runId)
            {
                _runToUndo = Runs.Resolve(runId, BindingToCompare);
                _runToUndoResolved = true;
            }

            return _runToUndo;
        }
    }

    /// <summary>
    /// The journal --run names, refused before any change when it was recorded on another cluster, namespace or environment;
    /// null when --run=latest finds no unfinished run.
    /// </summary>
    public RunJournal? JournalToUndo()
    {
        if (RunToUndo is not { } runId)
        {
            return null;
        }

        // Checked before the journal is attached to this cluster: a foreign journal must not even be mirrored here.
        var journal = Runs.EnsureBound(OpenJournalOf(runId), BindingToCompare);
        MirrorUndoneJournal(journal);
        return journal;
    }

    /// <summary>
    /// This run's binding, to compare <paramref name="recorded"/> with. A record made without any cluster (a data-only run)
    /// needs no connection to be compared; one with a cluster id makes this run read its own.
    /// </summary>
    public ClusterBinding BindingToCompare(ClusterBinding? recorded) =>
        _identity is null && recorded is { ClusterId: null, Server: null } ? Unbound() : Binding;

    private ClusterBinding Unbound() => new(null, null, null, Settings.Namespace, Settings.Environment, IsRehearsal);

    /// <summary>
    /// The cluster in one line, read from the kubeconfig without calling the server (Setup line, plan head):
    /// e.g. "https://10.0.0.1:6443 (context prod)", or why there is none yet.
    /// </summary>
    public string DescribeCluster()
    {
        if (Settings.ClusterKind == "embedded")
        {
            return "the embedded simulated cluster (started by this run)";
        }

        if (_identity is { } identity)
        {
            return identity.ToString();
        }

        try
        {
            var (server, context) = PlannedCluster();
            return context is null ? server : $"{server} (context {context})";
        }
        catch (BadInputException exception)
        {
            return $"(none: {exception.Message})";
        }
    }

    private (string Server, string? Context) PlannedCluster()
    {
        var configuration = Configure(Connection());
        return (configuration.Host.TrimEnd('/'), configuration.CurrentContext);
    }

    private ClusterConnection Connection() =>
        new(Settings.Kubeconfig, Settings.KubeContext, Settings.Namespace) { CallerDirectory = Settings.CallerDirectory };

    /// <summary>A kubeconfig that is missing, unreadable, empty or lacks the context is bad input: one line, exit 2.</summary>
    private static k8s.KubernetesClientConfiguration Configure(ClusterConnection connection)
    {
        try
        {
            return ClusterClientFactory.Configure(connection);
        }
        catch (KubeconfigException exception)
        {
            throw new BadInputException(exception.Message);
        }
    }
}
