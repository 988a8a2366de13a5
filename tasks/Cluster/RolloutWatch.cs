using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using k8s;
using k8s.Models;

namespace TwisterLab.Cake.Cluster;

/// <summary>
/// One rollout-status wait: a watch on the deployment (by name, as kubectl) and one on its pods, merged into one
/// stream of updates, judged on every event. Nothing sleeps or polls; the wait returns on the event that completes it.
/// </summary>
internal sealed class RolloutWatch(ClusterScope scope, Deployments deployments, string name, RolloutWaitOptions options)
{
    private readonly Dictionary<string, V1Pod> _pods = new(StringComparer.Ordinal);
    private bool _podsListed;
    private V1Deployment? _deployment;
    private (long Revision, string? Hash)? _newReplicaSet;

    public async Task<string> RunAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        var token = timeout.Token;
        var updates = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });

        // The deployment's list+watch first (as kubectl); its first snapshot gives the selector for the pods' one.
        var pumps = new List<Task> { PumpAsync(scope.WatchDeployments(name, token), updates.Writer, token) };

        string? lastLine = null;
        using var quiet = options.Heartbeat?.Start($"rollout of deployment/{name}");
        try
        {
            await foreach (var update in updates.Reader.ReadAllAsync(token))
            {
                switch (update)
                {
                    case ExceptionDispatchInfo failure:
                        failure.Throw();
                        break;
                    case WatchUpdate<V1Deployment> change:
                        if (_deployment is null && change.IsSnapshot && change.Snapshot!.Count == 0)
                        {
                            throw new ClusterException($"Cannot wait for the rollout of deployment/{name} in namespace {scope.Namespace}: NotFound (404). It does not exist: check the name and --namespace (kubectl get).", statusCode: 404);
                        }

                        if (change.IsSnapshot ? change.Snapshot!.Count == 0 : change.Type == WatchEventType.Deleted)
                        {
                            throw new RolloutFailedException($"deployment \"{name}\" was deleted while waiting for its rollout (namespace {scope.Namespace}).", RolloutFailure.Deleted, []);
                        }

                        if (_deployment is null)
                        {
                            var selector = Selectors.ToQuery((change.IsSnapshot ? change.Snapshot![0] : change.Object!).Spec.Selector);
                            pumps.Add(PumpAsync(scope.WatchPods(selector, null, allNamespaces: false, token), updates.Writer, token));
                        }

                        _deployment = change.IsSnapshot ? change.Snapshot![0] : change.Object!;
                        var progress = RolloutRules.Evaluate(_deployment, options.Revision);
                        switch (progress.State)
                        {
                            case RolloutState.Complete:
                                return progress.Message;
                            case RolloutState.Failed:
                                var failure = options.Revision is > 0 && progress.Message.StartsWith("desired revision", StringComparison.Ordinal)
                                    ? RolloutFailure.RevisionMismatch
                                    : RolloutFailure.ProgressDeadlineExceeded;
                                throw new RolloutFailedException($"{progress.Message} (namespace {scope.Namespace}).", failure, await FailingPodsAsync(cancellationToken));
                        }

                        if (progress.Message != lastLine)
                        {
                            lastLine = progress.Message;
                            quiet?.Describe(progress.Message);
                            options.Progress?.Invoke(progress.Message);
                        }

                        await CheckPodsAsync(token);
                        break;
                    case WatchUpdate<V1Pod> change:
                        if (change.IsSnapshot)
                        {
                            _podsListed = true;
                            _pods.Clear();
                            foreach (var pod in change.Snapshot!)
                            {
                                _pods[pod.Metadata.Name] = pod;
                            }
                        }
                        else if (change.Type == WatchEventType.Deleted)
                        {
                            _pods.Remove(change.Object!.Metadata.Name);
                        }
                        else
                        {
                            _pods[change.Object!.Metadata.Name] = change.Object;
                        }

                        await CheckPodsAsync(token);
                        break;
                }
            }

            throw new InvalidOperationException("the watch ended without an outcome");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new RolloutFailedException(
                $"timed out waiting for the condition: deployment \"{name}\" did not finish rolling out within {options.Timeout.TotalSeconds:0.#}s (namespace {scope.Namespace}; last state: {lastLine ?? "unknown"}).",
                RolloutFailure.TimedOut,
                await FailingPodsAsync(cancellationToken));
        }
        finally
        {
            await timeout.CancelAsync();
            await Task.WhenAll(pumps);
        }
    }

    // A new pod (of the replica set of the current revision) that cannot pull its image or crash-loops fails at once.
    private async Task CheckPodsAsync(CancellationToken cancellationToken)
    {
        var suspects = _pods.Values
            .Select(pod => (Pod: pod, Problem: RolloutRules.FatalProblem(pod, options.CrashLoopRestarts)))
            .Where(entry => entry.Problem is not null)
            .ToList();
        if (suspects.Count == 0 || _deployment is null)
        {
            return;
        }

        var hash = await NewReplicaSetHashAsync(cancellationToken);
        var failing = suspects.Where(entry => hash is null || entry.Pod.Metadata.Labels.Get(Deployments.PodTemplateHashLabel) == hash).ToList();
        if (failing.Count > 0)
        {
            throw new RolloutFailedException(
                $"deployment \"{name}\" rollout failed: {failing.Count} new pod(s) will not become ready (namespace {scope.Namespace}).",
                RolloutFailure.PodFailing,
                failing.Select(entry => new PodProblem(entry.Pod.Metadata.Name, entry.Problem!)).ToList());
        }
    }

    private async Task<string?> NewReplicaSetHashAsync(CancellationToken cancellationToken)
    {
        var revision = _deployment is null ? 0 : RolloutRules.Revision(_deployment) ?? 0;
        if (_newReplicaSet?.Revision != revision && _deployment is not null)
        {
            var owned = await deployments.OwnedReplicaSetsAsync(_deployment, cancellationToken);
            var newest = owned.FirstOrDefault(rs => RolloutRules.Revision(rs) == revision);
            _newReplicaSet = (revision, newest?.Metadata.Labels.Get(Deployments.PodTemplateHashLabel));
        }

        return _newReplicaSet?.Hash;
    }

    private async Task<IReadOnlyList<PodProblem>> FailingPodsAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(TimeSpan.FromSeconds(10));
            var hash = await NewReplicaSetHashAsync(limit.Token);
            return (await PodsAsync(limit.Token))
                .Where(pod => hash is null || pod.Metadata.Labels.Get(Deployments.PodTemplateHashLabel) == hash)
                .Select(pod => (pod.Metadata.Name, Reason: RolloutRules.NotReadyReason(pod)))
                .Where(entry => entry.Reason is not null)
                .OrderBy(entry => entry.Name, StringComparer.Ordinal)
                .Select(entry => new PodProblem(entry.Name, entry.Reason!))
                .ToList();
        }
        catch (Exception exception) when (exception is ClusterException or OperationCanceledException)
        {
            return _pods.Values.Where(pod => !RolloutRules.IsReady(pod))
                .Select(pod => new PodProblem(pod.Metadata.Name, RolloutRules.NotReadyReason(pod) ?? "not ready")).ToList();
        }
    }

    /// <summary>
    /// The pods the watch has seen; when the deployment's first event already settles the wait (a deadline that passed
    /// before the wait began), the pods' watch has not delivered its list yet, so they are listed once here.
    /// </summary>
    private async Task<IEnumerable<V1Pod>> PodsAsync(CancellationToken cancellationToken)
    {
        if (_podsListed || _deployment is null)
        {
            return _pods.Values;
        }

        var query = Selectors.ToQuery(_deployment.Spec.Selector);
        return (await scope.Api.CallAsync($"list pods -l {query} in namespace {scope.Namespace}",
            token => scope.Client.CoreV1.ListNamespacedPodAsync(scope.Namespace, labelSelector: query, cancellationToken: token), cancellationToken)).Items;
    }

    internal static async Task PumpAsync<T>(IAsyncEnumerable<WatchUpdate<T>> source, ChannelWriter<object> writer, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var update in source.WithCancellation(cancellationToken))
            {
                await writer.WriteAsync(update, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception exception)
        {
            writer.TryWrite(ExceptionDispatchInfo.Capture(exception));
        }
    }
}
