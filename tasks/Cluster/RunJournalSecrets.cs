using k8s;
using k8s.Models;

namespace TwisterLab.Cake.Cluster;

/// <summary>A run's journal as kept in the cluster, with what a later run needs to know about it without parsing it.</summary>
public sealed record RunJournalCopy(string RunId, string Target, string State, string? Host, DateTimeOffset? Started, byte[] Journal)
{
    /// <summary>The run never concluded (killed, lost machine): its undo may still be needed.</summary>
    public bool Unfinished => State == RunJournalSecrets.Running;
}

/// <summary>
/// The journal of every run that changed a namespace, mirrored into that namespace as a Secret
/// <c>twisterlab-run-&lt;run-id&gt;</c> (labels: run id, target, state), written before the change it guards. A runner
/// lost with its disk leaves the undo here, so <c>--target=Rollback --run=&lt;id&gt;</c> works from any machine that
/// reaches the cluster. A Secret, not a ConfigMap: the journal names servers and holds sealed values, and Secrets are
/// what RBAC already keeps from readers of the namespace.
/// </summary>
public sealed class RunJournalSecrets
{
    public const string Prefix = "twisterlab-run-";
    public const string Running = "running";
    private const string JournalLabel = "twisterlab.dev/journal";
    private const string RunIdLabel = "twisterlab.dev/run-id";
    private const string TargetLabel = "twisterlab.dev/target";
    private const string StateLabel = "twisterlab.dev/state";
    private const string HostAnnotation = "twisterlab.dev/host";
    private const string StartedAnnotation = "twisterlab.dev/started-at";
    private const string DataKey = "journal.json";
    private readonly ClusterScope _scope;

    internal RunJournalSecrets(ClusterScope scope) => _scope = scope;

    public static string NameOf(string runId) => Prefix + runId;

    public string DescribeRead(string runId) => _scope.Kubectl.Namespaced("get", $"secret/{NameOf(runId)}", "-o", "jsonpath={.data.journal\\.json}").ToString();

    /// <summary>Creates or replaces the run's Secret with this journal and state.</summary>
    public async Task WriteAsync(RunJournalCopy copy, CancellationToken cancellationToken)
    {
        var name = NameOf(copy.RunId);
        var labels = new Dictionary<string, string>
        {
            ["app.kubernetes.io/managed-by"] = ClusterGateway.FieldManager,
            [JournalLabel] = "true",
            [RunIdLabel] = copy.RunId,
            [TargetLabel] = copy.Target,
            [StateLabel] = copy.State,
        };
        var annotations = new Dictionary<string, string>();
        if (copy.Host is not null)
        {
            annotations[HostAnnotation] = copy.Host;
        }

        if (copy.Started is { } started)
        {
            annotations[StartedAnnotation] = started.ToString("O");
        }

        var existing = await FindSecretAsync(name, cancellationToken);
        var secret = existing ?? new V1Secret { ApiVersion = "v1", Kind = "Secret", Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = _scope.Namespace } };
        secret.Metadata.Labels = labels;
        secret.Metadata.Annotations = annotations;
        secret.Type = "Opaque";
        secret.Data = new Dictionary<string, byte[]> { [DataKey] = copy.Journal };
        secret.StringData = null;
        if (existing is null)
        {
            await _scope.Api.CallAsync($"create secret/{name} in namespace {_scope.Namespace}", token => _scope.Client.CoreV1.CreateNamespacedSecretAsync(secret, _scope.Namespace, fieldManager: ClusterGateway.FieldManager, cancellationToken: token), cancellationToken);
        }
        else
        {
            // Only this run writes its own Secret, so the read resourceVersion is only contended by a retry of ours.
            await _scope.Api.CallAsync($"replace secret/{name} in namespace {_scope.Namespace}", token => _scope.Client.CoreV1.ReplaceNamespacedSecretAsync(secret, name, _scope.Namespace, fieldManager: ClusterGateway.FieldManager, cancellationToken: token), cancellationToken);
        }
    }

    /// <summary>The run's journal as kept in the cluster, null when that run left none here.</summary>
    public async Task<RunJournalCopy?> ReadAsync(string runId, CancellationToken cancellationToken) =>
        await FindSecretAsync(NameOf(runId), cancellationToken) is { } secret ? CopyOf(secret) : null;

    /// <summary>Every run journal kept in this namespace, oldest first (run ids sort by time).</summary>
    public async Task<IReadOnlyList<RunJournalCopy>> ListAsync(CancellationToken cancellationToken)
    {
        var list = await _scope.Api.CallAsync($"list run journals (secrets -l {JournalLabel}=true) in namespace {_scope.Namespace}",
            token => _scope.Client.CoreV1.ListNamespacedSecretAsync(_scope.Namespace, labelSelector: $"{JournalLabel}=true", cancellationToken: token), cancellationToken);
        return list.Items.Select(CopyOf).OfType<RunJournalCopy>().OrderBy(copy => copy.RunId, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Deletes the journals of finished runs beyond the newest <paramref name="keep"/>. Unfinished ones are never
    /// pruned: they are the undo of a run that died. Returns the run ids deleted.
    /// </summary>
    public async Task<IReadOnlyList<string>> PruneAsync(int keep, CancellationToken cancellationToken)
    {
        var finished = (await ListAsync(cancellationToken)).Where(copy => !copy.Unfinished).ToList();
        var deleted = new List<string>();
        foreach (var copy in finished.Take(Math.Max(0, finished.Count - keep)))
        {
            var name = NameOf(copy.RunId);
            await _scope.Api.FindAsync($"delete secret/{name} in namespace {_scope.Namespace}", token => _scope.Client.CoreV1.DeleteNamespacedSecretAsync(name, _scope.Namespace, cancellationToken: token), cancellationToken);
            deleted.Add(copy.RunId);
        }

        return deleted;
    }

    private Task<V1Secret?> FindSecretAsync(string name, CancellationToken cancellationToken) =>
        _scope.Api.FindAsync($"get secret/{name} in namespace {_scope.Namespace}", token => _scope.Client.CoreV1.ReadNamespacedSecretAsync(name, _scope.Namespace, cancellationToken: token), cancellationToken);

    private static RunJournalCopy? CopyOf(V1Secret secret)
    {
        IReadOnlyDictionary<string, string> labels = new Dictionary<string, string>(secret.Metadata.Labels ?? new Dictionary<string, string>());
        IReadOnlyDictionary<string, string> annotations = new Dictionary<string, string>(secret.Metadata.Annotations ?? new Dictionary<string, string>());
        if (!labels.TryGetValue(RunIdLabel, out var runId) || secret.Data?.TryGetValue(DataKey, out var journal) != true)
        {
            return null;
        }

        return new RunJournalCopy(
            runId,
            labels.GetValueOrDefault(TargetLabel, "?"),
            labels.GetValueOrDefault(StateLabel, Running),
            annotations.GetValueOrDefault(HostAnnotation),
            DateTimeOffset.TryParse(annotations.GetValueOrDefault(StartedAnnotation), out var started) ? started : null,
            journal!);
    }
}
