using k8s.Models;

namespace TwisterLab.Cake.Cluster;

public enum RolloutState
{
    Waiting,
    Complete,
    Failed,
}

/// <summary>One evaluation of a deployment's rollout: its state and the line kubectl would print.</summary>
public sealed record RolloutProgress(RolloutState State, string Message);

/// <summary>
/// kubectl 1.32's rollout-status rules (pkg/polymorphichelpers/rollout_status.go), as a pure function over the
/// Deployment object, plus the pod rules we add on top (a new pod that cannot pull its image or keeps crashing
/// fails the wait at once instead of waiting out the progress deadline).
/// </summary>
public static class RolloutRules
{
    public const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    public const string TimedOutReason = "ProgressDeadlineExceeded";

    /// <summary>Container waiting reasons that never heal by waiting.</summary>
    public static readonly IReadOnlySet<string> FatalWaitingReasons =
        new HashSet<string>(StringComparer.Ordinal) { "ImagePullBackOff", "ErrImagePull", "InvalidImageName" };

    public static RolloutProgress Evaluate(V1Deployment deployment, long? desiredRevision = null)
    {
        var name = deployment.Metadata?.Name;
        if (desiredRevision is > 0)
        {
            var running = Revision(deployment);
            if (running != desiredRevision)
            {
                return new(RolloutState.Failed, $"desired revision ({desiredRevision}) is different from the running revision ({running?.ToString() ?? "none"})");
            }
        }

        var generation = deployment.Metadata?.Generation ?? 0;
        var status = deployment.Status;
        if (generation > (status?.ObservedGeneration ?? 0))
        {
            return new(RolloutState.Waiting, "Waiting for deployment spec update to be observed...");
        }

        var progressing = status?.Conditions?.FirstOrDefault(condition => condition.Type == "Progressing");
        if (progressing?.Reason == TimedOutReason)
        {
            return new(RolloutState.Failed, $"deployment \"{name}\" exceeded its progress deadline");
        }

        var wanted = deployment.Spec?.Replicas;
        var updated = status?.UpdatedReplicas ?? 0;
        var replicas = status?.Replicas ?? 0;
        var available = status?.AvailableReplicas ?? 0;
        if (wanted is not null && updated < wanted)
        {
            return new(RolloutState.Waiting, $"Waiting for deployment \"{name}\" rollout to finish: {updated} out of {wanted} new replicas have been updated...");
        }

        if (replicas > updated)
        {
            return new(RolloutState.Waiting, $"Waiting for deployment \"{name}\" rollout to finish: {replicas - updated} old replicas are pending termination...");
        }

        if (available < updated)
        {
            return new(RolloutState.Waiting, $"Waiting for deployment \"{name}\" rollout to finish: {available} of {updated} updated replicas are available...");
        }

        return new(RolloutState.Complete, $"deployment \"{name}\" successfully rolled out");
    }

    /// <summary>The deployment's (or replica set's) revision annotation, null when absent or unreadable.</summary>
    public static long? Revision(IMetadata<V1ObjectMeta> resource) =>
        resource.Metadata?.Annotations?.TryGetValue(RevisionAnnotation, out var text) == true && long.TryParse(text, out var revision)
            ? revision
            : null;

    /// <summary>
    /// Why a pod will not become ready by waiting: an image that cannot be pulled, or a container in CrashLoopBackOff
    /// that has restarted at least <paramref name="restartThreshold"/> times. Null when waiting may still help.
    /// </summary>
    public static string? FatalProblem(V1Pod pod, int restartThreshold)
    {
        foreach (var container in AllContainerStatuses(pod))
        {
            var waiting = container.State?.Waiting;
            if (waiting?.Reason is { } reason && FatalWaitingReasons.Contains(reason))
            {
                return $"container {container.Name}: {reason}{Detail(waiting.Message)}";
            }

            if (waiting?.Reason == "CrashLoopBackOff" && container.RestartCount >= restartThreshold)
            {
                return $"container {container.Name}: CrashLoopBackOff after {container.RestartCount} restarts{Detail(waiting.Message)}";
            }
        }

        return null;
    }

    /// <summary>Why a pod is not Ready, as "kubectl describe" would sum it up; null when it is Ready.</summary>
    public static string? NotReadyReason(V1Pod pod)
    {
        if (IsReady(pod))
        {
            return null;
        }

        foreach (var container in AllContainerStatuses(pod))
        {
            if (container.State?.Waiting is { } waiting)
            {
                return $"container {container.Name}: {waiting.Reason ?? "Waiting"}{(container.RestartCount > 0 ? $" ({container.RestartCount} restarts)" : "")}{Detail(waiting.Message)}";
            }

            if (container.State?.Terminated is { } terminated)
            {
                return $"container {container.Name}: terminated {terminated.Reason ?? "" } (exit code {terminated.ExitCode})".Replace("  ", " ");
            }

            if (container.Ready != true)
            {
                return $"container {container.Name}: running, not ready (readiness probe failing)";
            }
        }

        var ready = pod.Status?.Conditions?.FirstOrDefault(condition => condition.Type == "Ready");
        return ready?.Reason is { } conditionReason
            ? $"{conditionReason}{Detail(ready.Message)}"
            : $"phase {pod.Status?.Phase ?? "Unknown"}, not ready";
    }

    public static bool IsReady(V1Pod pod) =>
        pod.Metadata?.DeletionTimestamp is null
        && pod.Status?.Conditions?.Any(condition => condition.Type == "Ready" && condition.Status == "True") == true;

    private static IEnumerable<V1ContainerStatus> AllContainerStatuses(V1Pod pod) =>
        (pod.Status?.InitContainerStatuses ?? []).Concat(pod.Status?.ContainerStatuses ?? []);

    private static string Detail(string? message) => string.IsNullOrWhiteSpace(message) ? "" : $": {message}";
}
