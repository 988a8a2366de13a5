using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;

using TwisterLab.Cake.Progress;

namespace TwisterLab.Cake.Cluster;

/// <summary>What <see cref="Deployments.SetImageAsync"/> changed: the revision to undo to and the image it replaced.</summary>
public sealed record SetImageResult(long PreviousRevision, string? PreviousImage, bool Changed);

/// <summary>What an undo did: from which revision to which template, or nothing when the template already matched.</summary>
public sealed record UndoResult(long FromRevision, long ToRevision, bool Skipped);

/// <summary>One entry of the rollout history.</summary>
public sealed record RolloutRevision(long Revision, string ReplicaSet, string? ChangeCause, IReadOnlyDictionary<string, string> Images);

/// <summary>How a rollout-status wait behaves.</summary>
/// <param name="Timeout">Give up after this long (kubectl --timeout).</param>
/// <param name="CrashLoopRestarts">A new pod in CrashLoopBackOff with at least this many restarts fails the wait at once.</param>
/// <param name="Progress">Receives each new "Waiting for ..." line.</param>
/// <param name="Revision">Fail when the running revision is another one (kubectl --revision).</param>
/// <param name="Heartbeat">Says "still waiting" with the last line after every quiet stretch (10 s) of the wait.</param>
public sealed record RolloutWaitOptions(TimeSpan Timeout, int CrashLoopRestarts = 3, Action<string>? Progress = null, long? Revision = null, ProgressReporter? Heartbeat = null);

/// <summary>A pod that keeps a rollout (or a wait) from finishing, and why.</summary>
public sealed record PodProblem(string Pod, string Reason)
{
    public override string ToString() => $"{Pod}: {Reason}";
}

public enum RolloutFailure
{
    ProgressDeadlineExceeded,
    PodFailing,
    TimedOut,
    Deleted,
    RevisionMismatch,
}

/// <summary>A rollout (or pod readiness wait) that did not finish; lists the failing pods with their reasons.</summary>
public sealed class RolloutFailedException(string message, RolloutFailure failure, IReadOnlyList<PodProblem> failingPods)
    : ClusterException(failingPods.Count == 0 ? message : $"{message}\n{string.Join("\n", failingPods.Select(pod => "  " + pod))}")
{
    public RolloutFailure Failure { get; } = failure;

    public IReadOnlyList<PodProblem> FailingPods { get; } = failingPods;
}

/// <summary>Deployments: set image, scale, rollout status/undo/history/restart, delete.</summary>
public sealed partial class Deployments
{
    private readonly ClusterScope _scope;

    internal Deployments(ClusterScope scope) => _scope = scope;

    private IKubernetes Client => _scope.Client;

    private string Namespace => _scope.Namespace;

    private string Where(string name) => $"deployment/{name} in namespace {Namespace}";

    public Task<V1Deployment> GetAsync(string name, CancellationToken cancellationToken) =>
        _scope.Api.CallAsync($"get {Where(name)}", token => Client.AppsV1.ReadNamespacedDeploymentAsync(name, Namespace, cancellationToken: token), cancellationToken);

    public Task<V1Deployment?> FindAsync(string name, CancellationToken cancellationToken) =>
        _scope.Api.FindAsync($"get {Where(name)}", token => Client.AppsV1.ReadNamespacedDeploymentAsync(name, Namespace, cancellationToken: token), cancellationToken);

    public async Task<IReadOnlyList<V1Deployment>> ListAsync(CancellationToken cancellationToken) =>
        (await _scope.Api.CallAsync($"list deployments in namespace {Namespace}", token => Client.AppsV1.ListNamespacedDeploymentAsync(Namespace, cancellationToken: token), cancellationToken)).Items.ToList();

    /// <summary>The deployment's current revision (annotation deployment.kubernetes.io/revision), 0 before the first rollout.</summary>
    public async Task<long> GetRevisionAsync(string name, CancellationToken cancellationToken) =>
        RolloutRules.Revision(await GetAsync(name, cancellationToken)) ?? 0;

    // ---- set image -------------------------------------------------------------------------------------------

    public string DescribeSetImage(string name, string container, string image) =>
        CommandSetImage(name, container, image).ToString();

    public KubectlCommand CommandSetImage(string name, string container, string image) =>
        _scope.Kubectl.Namespaced("set", "image", $"deployment/{name}", $"{container}={image}");

    /// <summary>
    /// Sets the image of one container (strategic merge patch by container name, as kubectl set image). Returns the
    /// revision read BEFORE the patch, which is what "rollout undo --to-revision" needs to put it back.
    /// </summary>
    public async Task<SetImageResult> SetImageAsync(string name, string container, string image, CancellationToken cancellationToken)
    {
        ValidateImage(image);
        var deployment = await GetAsync(name, cancellationToken);
        var containers = deployment.Spec.Template.Spec.Containers;
        var target = containers.FirstOrDefault(candidate => candidate.Name == container)
            ?? throw new ClusterException($"Cannot set image on {Where(name)}: it has no container '{container}' (it has: {string.Join(", ", containers.Select(c => c.Name))}). Name one of those.");
        var revision = RolloutRules.Revision(deployment) ?? 0;
        if (target.Image == image)
        {
            return new SetImageResult(revision, target.Image, Changed: false);
        }

        var patch = new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["template"] = new JsonObject
                {
                    ["spec"] = new JsonObject
                    {
                        ["containers"] = new JsonArray(new JsonObject { ["name"] = container, ["image"] = image }),
                    },
                },
            },
        };
        await _scope.Api.CallAsync($"set image on {Where(name)}", token => Client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch(patch.ToJsonString(), V1Patch.PatchType.StrategicMergePatch), name, Namespace, fieldManager: ClusterGateway.FieldManager, cancellationToken: token), cancellationToken);
        return new SetImageResult(revision, target.Image, Changed: true);
    }

    /// <summary>Rejects what is not a container image reference ([registry[:port]/]path[:tag][@sha256:digest]).</summary>
    public static void ValidateImage(string image)
    {
        if (string.IsNullOrWhiteSpace(image) || !ImageReference().IsMatch(image))
        {
            throw new ArgumentException($"'{image}' is not a container image reference. Use name[:tag] or registry/name[:tag][@sha256:digest], e.g. twisterlab-api:v2.0.", nameof(image));
        }
    }

    [GeneratedRegex(@"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$")]
    private static partial Regex ImageReference();

    // ---- scale -----------------------------------------------------------------------------------------------

    public string DescribeScale(string name, int replicas) => CommandScale(name, replicas).ToString();

    public KubectlCommand CommandScale(string name, int replicas) =>
        _scope.Kubectl.Namespaced("scale", $"deployment/{name}", $"--replicas={replicas}");

    /// <summary>Scales through the /scale subresource. Returns the replica count before the change.</summary>
    public async Task<int> ScaleAsync(string name, int replicas, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(replicas);
        var scale = await _scope.Api.CallAsync($"get scale of {Where(name)}",
            token => Client.AppsV1.ReadNamespacedDeploymentScaleAsync(name, Namespace, cancellationToken: token), cancellationToken);
        var previous = scale.Spec?.Replicas ?? 0;
        if (previous != replicas)
        {
            var patch = new JsonObject { ["spec"] = new JsonObject { ["replicas"] = replicas } };
            await _scope.Api.CallAsync($"scale {Where(name)}", token => Client.AppsV1.PatchNamespacedDeploymentScaleAsync(
                new V1Patch(patch.ToJsonString(), V1Patch.PatchType.MergePatch), name, Namespace, fieldManager: ClusterGateway.FieldManager, cancellationToken: token), cancellationToken);
        }

        return previous;
    }

    // ---- rollout status --------------------------------------------------------------------------------------

    public string DescribeRolloutStatus(string name, TimeSpan timeout) => CommandRolloutStatus(name, timeout).ToString();

    public KubectlCommand CommandRolloutStatus(string name, TimeSpan timeout) =>
        _scope.Kubectl.Namespaced("rollout", "status", $"deployment/{name}", $"--timeout={(long)Math.Ceiling(timeout.TotalSeconds)}s");

    /// <summary>
    /// Waits by watch (never by polling) until the rollout completes under kubectl's rules, and returns kubectl's
    /// success line. Throws <see cref="RolloutFailedException"/> on ProgressDeadlineExceeded, a new pod that cannot pull
    /// its image or crash-loops past the threshold, deletion, or timeout, listing the failing pods. A dropped watch
    /// resumes from its last resourceVersion.
    /// </summary>
    public Task<string> WaitForRolloutAsync(string name, RolloutWaitOptions options, CancellationToken cancellationToken) =>
        new RolloutWatch(_scope, this, name, options).RunAsync(cancellationToken);

    /// <summary>Number of times a rollout wait had to resume a watch (tests and diagnostics).</summary>
    public int WatchResumes => _scope.WatchResumes;

    // ---- undo / history / restart ----------------------------------------------------------------------------

    public string DescribeUndo(string name, long? toRevision = null) => CommandUndo(name, toRevision).ToString();

    public KubectlCommand CommandUndo(string name, long? toRevision = null) =>
        toRevision is > 0
            ? _scope.Kubectl.Namespaced("rollout", "undo", $"deployment/{name}", $"--to-revision={toRevision}")
            : _scope.Kubectl.Namespaced("rollout", "undo", $"deployment/{name}");

    /// <summary>
    /// Rolls back like kubectl rollout undo: to the previous revision, or to <paramref name="toRevision"/>. Skips (and
    /// says so) when the template already matches. Idempotent for a given revision: once an undo re-numbered revision N
    /// (the controller then records N in the replica set's revision-history), undoing to N again finds it there.
    /// </summary>
    public async Task<UndoResult> UndoAsync(string name, long? toRevision, CancellationToken cancellationToken)
    {
        var deployment = await GetAsync(name, cancellationToken);
        var current = RolloutRules.Revision(deployment) ?? 0;
        if (deployment.Spec.Paused == true)
        {
            throw new ClusterException($"Cannot undo {Where(name)}: it is paused. Resume it first (kubectl rollout resume deployment/{name} -n {Namespace}).");
        }

        var history = await OwnedReplicaSetsAsync(deployment, cancellationToken);
        V1ReplicaSet? target;
        if (toRevision is null or 0)
        {
            target = history.Where(rs => (RolloutRules.Revision(rs) ?? 0) != current)
                .OrderByDescending(rs => RolloutRules.Revision(rs) ?? 0).FirstOrDefault()
                ?? throw new ClusterException($"Cannot undo {Where(name)}: no rollout history found (only revision {current}).");
        }
        else
        {
            target = history.FirstOrDefault(rs => RolloutRules.Revision(rs) == toRevision)
                ?? history.FirstOrDefault(rs => RevisionHistory(rs).Contains(toRevision.Value))
                ?? throw new ClusterException($"Cannot undo {Where(name)}: unable to find specified revision {toRevision} in history (kubectl rollout history deployment/{name} -n {Namespace}).");
        }

        var targetRevision = RolloutRules.Revision(target) ?? 0;
        var template = Selectors.ToNode(target.Spec.Template);
        (template["metadata"]?["labels"] as JsonObject)?.Remove(PodTemplateHashLabel);
        if (JsonNode.DeepEquals(template, Selectors.ToNode(deployment.Spec.Template)))
        {
            return new UndoResult(current, targetRevision, Skipped: true);
        }

        var annotations = new JsonObject();
        foreach (var (key, value) in deployment.Metadata.Annotations ?? new Dictionary<string, string>())
        {
            if (AnnotationsToSkip.Contains(key))
            {
                annotations[key] = value;
            }
        }

        foreach (var (key, value) in target.Metadata.Annotations ?? new Dictionary<string, string>())
        {
            if (!AnnotationsToSkip.Contains(key))
            {
                annotations[key] = value;
            }
        }

        var patch = new JsonArray(
            new JsonObject { ["op"] = "replace", ["path"] = "/spec/template", ["value"] = template },
            new JsonObject { ["op"] = "replace", ["path"] = "/metadata/annotations", ["value"] = annotations });
        await _scope.Api.CallAsync($"undo {Where(name)}", token => Client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch(patch.ToJsonString(), V1Patch.PatchType.JsonPatch), name, Namespace, cancellationToken: token), cancellationToken);
        return new UndoResult(current, targetRevision, Skipped: false);
    }

    public string DescribeHistory(string name) => CommandHistory(name).ToString();

    public KubectlCommand CommandHistory(string name) => _scope.Kubectl.Namespaced("rollout", "history", $"deployment/{name}");

    /// <summary>The revisions kept (one per owned replica set), oldest first.</summary>
    public async Task<IReadOnlyList<RolloutRevision>> HistoryAsync(string name, CancellationToken cancellationToken)
    {
        var deployment = await GetAsync(name, cancellationToken);
        return (await OwnedReplicaSetsAsync(deployment, cancellationToken))
            .Select(rs => new RolloutRevision(
                RolloutRules.Revision(rs) ?? 0,
                rs.Metadata.Name,
                rs.Metadata.Annotations.Get("kubernetes.io/change-cause"),
                rs.Spec.Template.Spec.Containers.ToDictionary(container => container.Name, container => container.Image)))
            .OrderBy(revision => revision.Revision)
            .ToList();
    }

    /// <summary>
    /// The image of <paramref name="container"/> an undo to <paramref name="toRevision"/> would put back (null: the
    /// revision a plain rollout undo picks, the newest other than the current one); null when there is none.
    /// </summary>
    public async Task<string?> ImageToUndoToAsync(string name, string container, long? toRevision, CancellationToken cancellationToken)
    {
        var current = await GetRevisionAsync(name, cancellationToken);
        var history = await HistoryAsync(name, cancellationToken);
        var target = toRevision is null or 0
            ? history.LastOrDefault(revision => revision.Revision != current)
            : history.FirstOrDefault(revision => revision.Revision == toRevision);
        return target?.Images.GetValueOrDefault(container);
    }

    public string DescribeRestart(string name) => CommandRestart(name).ToString();

    public KubectlCommand CommandRestart(string name) => _scope.Kubectl.Namespaced("rollout", "restart", $"deployment/{name}");

    /// <summary>
    /// Restarts every pod by stamping the pod template (kubectl.kubernetes.io/restartedAt), as kubectl does.
    /// Returns the revision before the restart (undo to it to go back to the previous template).
    /// </summary>
    public async Task<long> RestartAsync(string name, CancellationToken cancellationToken)
    {
        var deployment = await GetAsync(name, cancellationToken);
        if (deployment.Spec.Paused == true)
        {
            throw new ClusterException($"Cannot restart {Where(name)}: it is paused. Resume it first (kubectl rollout resume deployment/{name} -n {Namespace}).");
        }

        var stamp = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fffK", CultureInfo.InvariantCulture);
        var patch = new JsonObject
        {
            ["spec"] = new JsonObject
            {
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["annotations"] = new JsonObject { [RestartedAtAnnotation] = stamp } },
                },
            },
        };
        await _scope.Api.CallAsync($"restart {Where(name)}", token => Client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch(patch.ToJsonString(), V1Patch.PatchType.StrategicMergePatch), name, Namespace, fieldManager: ClusterGateway.FieldManager, cancellationToken: token), cancellationToken);
        return RolloutRules.Revision(deployment) ?? 0;
    }

    // ---- delete ----------------------------------------------------------------------------------------------

    public string DescribeDelete(string name) => CommandDelete(name).ToString();

    public KubectlCommand CommandDelete(string name) => _scope.Kubectl.Namespaced("delete", $"deployment/{name}");

    /// <summary>
    /// Deletes the deployment (background propagation: its replica sets and pods follow) and waits until it is gone.
    /// Returns false when it did not exist. Refuses in production unless <paramref name="guard"/> says confirmed.
    /// </summary>
    public async Task<bool> DeleteAsync(string name, DestructiveGuard guard, CancellationToken cancellationToken)
    {
        guard.Check($"delete {Where(name)}");
        var deleted = await _scope.Api.FindAsync($"delete {Where(name)}", async token =>
        {
            try
            {
                await Client.AppsV1.DeleteNamespacedDeploymentAsync(name, Namespace, propagationPolicy: "Background", cancellationToken: token);
            }
            catch (System.Text.Json.JsonException)
            {
                // A 2xx whose body is a Status instead of the object (allowed by the API): deleted all the same.
            }

            return name;
        }, cancellationToken);
        if (deleted is null)
        {
            return false;
        }

        await WaitGoneAsync(name, cancellationToken);
        return true;
    }

    // kubectl delete --wait: until the object is gone (finalizers done), bounded so a stuck finalizer is named.
    private async Task WaitGoneAsync(string name, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            await foreach (var update in _scope.WatchDeployments(name, limit.Token))
            {
                if (update.IsSnapshot ? update.Snapshot!.Count == 0 : update.Type == WatchEventType.Deleted)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ClusterException($"Deleted {Where(name)}, but it is still there after 2 minutes: a finalizer holds it (kubectl get deployment/{name} -n {Namespace} -o jsonpath='{{.metadata.finalizers}}').");
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    internal const string PodTemplateHashLabel = "pod-template-hash";
    internal const string RevisionHistoryAnnotation = "deployment.kubernetes.io/revision-history";
    internal const string RestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt";

    // kubectl's annotationsToSkip (pkg/util/deployment): these stay on the deployment through an undo.
    private static readonly HashSet<string> AnnotationsToSkip =
    [
        "kubectl.kubernetes.io/last-applied-configuration",
        RolloutRules.RevisionAnnotation,
        RevisionHistoryAnnotation,
        "deployment.kubernetes.io/desired-replicas",
        "deployment.kubernetes.io/max-replicas",
        "deprecated.deployment.rollback.to",
    ];

    internal async Task<IReadOnlyList<V1ReplicaSet>> OwnedReplicaSetsAsync(V1Deployment deployment, CancellationToken cancellationToken)
    {
        var selector = Selectors.ToQuery(deployment.Spec.Selector);
        var list = await _scope.Api.CallAsync($"list replicasets of {Where(deployment.Metadata.Name)}",
            token => Client.AppsV1.ListNamespacedReplicaSetAsync(Namespace, labelSelector: selector, cancellationToken: token), cancellationToken);
        return list.Items
            .Where(rs => rs.Metadata.OwnerReferences?.Any(owner => owner.Controller == true && owner.Uid == deployment.Metadata.Uid) == true)
            .ToList();
    }

    private static IReadOnlyList<long> RevisionHistory(V1ReplicaSet replicaSet) =>
        (replicaSet.Metadata.Annotations.Get(RevisionHistoryAnnotation) ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(text => long.TryParse(text, out var value) ? value : -1)
            .ToList();
}
