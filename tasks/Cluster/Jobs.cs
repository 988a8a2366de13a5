using k8s;
using k8s.Models;

namespace TwisterLab.Cake.Cluster;

/// <summary>
/// A one-off command in a Job that runs like the deployment's pods: <paramref name="Image"/> instead of theirs, the
/// same env, envFrom, mounted secrets, service account and image pull secrets (what <c>alembic</c> needs to reach the
/// database). <paramref name="Timeout"/> is also the Job's activeDeadlineSeconds, so the cluster stops it too.
/// <paramref name="Files"/> are mounted from ConfigMaps on top of the image (e.g. a migration the image does not carry).
/// </summary>
public sealed record JobRequest(string Name, string Deployment, string? Container, string Image, IReadOnlyList<string> Command, TimeSpan Timeout,
    IReadOnlyList<JobFile>? Files = null);

/// <summary>
/// One key of a ConfigMap mounted as the single file <paramref name="MountPath"/> (a subPath mount: the folder's other
/// files, the image's own, stay visible).
/// </summary>
public sealed record JobFile(string ConfigMap, string Key, string MountPath);

/// <summary>
/// How a Job ended: Complete or not, why, every line its pod printed, and whether its container ever ran (a pod that
/// could not pull its image never did: the command changed nothing).
/// </summary>
public sealed record JobResult(string Name, bool Succeeded, string Reason, IReadOnlyList<string> Logs, bool Started = true);

/// <summary>kubectl create job / wait / logs / delete, for commands that must run with another image than the deployment's.</summary>
public sealed class Jobs
{
    /// <summary>The label on every Job this tool creates and on its pods: how its pods are found.</summary>
    public const string JobLabel = "twisterlab.io/job";

    private readonly ClusterScope _scope;
    private readonly Deployments _deployments;

    internal Jobs(ClusterScope scope, Deployments deployments)
    {
        _scope = scope;
        _deployments = deployments;
    }

    /// <summary>The line an operator would type (kubectl create job cannot copy a pod's env: the comment says it is).</summary>
    public string DescribeRun(JobRequest request, string? why = null)
    {
        var command = _scope.Kubectl.Namespaced("create", "job", request.Name, $"--image={request.Image}");
        var items = command.Items.Append(new KubectlArgument("--")).Concat(request.Command.Select(part => new KubectlArgument(part))).ToList();
        return $"{new KubectlCommand(items)}   # {why ?? $"with deployment/{request.Deployment}'s env, envFrom, secrets and service account"}";
    }

    public string DescribeDelete(string name) => _scope.Kubectl.Namespaced("delete", $"job/{name}", "--ignore-not-found").ToString();

    public string DescribeCreateConfigMap(string name, string file) =>
        _scope.Kubectl.Namespaced("create", "configmap", name, $"--from-file={file}").ToString();

    /// <summary>Creates a ConfigMap holding files for a Job to mount (<see cref="JobFile"/>); one already there is an error.</summary>
    public async Task CreateConfigMapAsync(string name, IReadOnlyDictionary<string, string> files, CancellationToken cancellationToken)
    {
        var configMap = new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = _scope.Namespace, Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = ClusterGateway.FieldManager } },
            Data = files.ToDictionary(),
        };
        await _scope.Api.CallAsync($"create configmap/{name}",
            token => _scope.Client.CoreV1.CreateNamespacedConfigMapAsync(configMap, _scope.Namespace, fieldManager: ClusterGateway.FieldManager, cancellationToken: token), cancellationToken);
    }

    /// <summary>A unique Job name: the purpose, then a random suffix (names must be at most 63 characters).</summary>
    public static string NameFor(string purpose) => $"{purpose}-{Guid.NewGuid():N}"[..Math.Min(purpose.Length + 9, 63)];

    /// <summary>
    /// Creates the Job, waits for it (a pod that cannot pull its image or crash-loops fails at once, like a rollout;
    /// the timeout fails it too) and returns its log lines, each also given to <paramref name="line"/> as it arrives.
    /// A failed Job is returned, not thrown; a Job that could not be created or watched is thrown.
    /// </summary>
    public async Task<JobResult> RunAsync(JobRequest request, Action<string>? line, CancellationToken cancellationToken, int crashLoopRestarts = 3)
    {
        var deployment = await _deployments.GetAsync(request.Deployment, cancellationToken);
        var job = Build(request, deployment);
        await _scope.Api.CallAsync($"create job/{request.Name}",
            token => _scope.Client.BatchV1.CreateNamespacedJobAsync(job, _scope.Namespace, fieldManager: ClusterGateway.FieldManager, cancellationToken: token), cancellationToken);
        return await WaitAsync(request, line, crashLoopRestarts, cancellationToken);
    }

    /// <summary>Deletes the Job and its pods (background propagation); a Job already gone is fine (idempotent).</summary>
    public async Task DeleteAsync(string name, CancellationToken cancellationToken) =>
        await _scope.Api.FindAsync($"delete job/{name}",
            token => _scope.Client.BatchV1.DeleteNamespacedJobAsync(name, _scope.Namespace, propagationPolicy: "Background", cancellationToken: token), cancellationToken);

    private async Task<JobResult> WaitAsync(JobRequest request, Action<string>? line, int crashLoopRestarts, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(request.Timeout);
        var logs = new List<string>();
        Task? following = null;
        var selector = $"{JobLabel}={request.Name}";
        try
        {
            while (true)
            {
                var pods = await _scope.Api.CallAsync($"list pods -l {selector}",
                    token => _scope.Client.CoreV1.ListNamespacedPodAsync(_scope.Namespace, labelSelector: selector, cancellationToken: token), limit.Token);
                var pod = pods.Items.OrderBy(p => p.Metadata.CreationTimestamp).LastOrDefault();
                if (pod is not null && RolloutRules.FatalProblem(pod, crashLoopRestarts) is { } fatal)
                {
                    return new JobResult(request.Name, false, $"pod {pod.Metadata.Name}: {fatal}", logs, Started: following is not null || Ran(pod));
                }

                if (pod is not null && following is null && pod.Status?.Phase is "Running" or "Succeeded" or "Failed")
                {
                    following = FollowAsync(pod.Metadata.Name, text => { lock (logs) logs.Add(text); line?.Invoke(text); }, limit.Token);
                }

                var job = await _scope.Api.CallAsync($"get job/{request.Name}",
                    token => _scope.Client.BatchV1.ReadNamespacedJobAsync(request.Name, _scope.Namespace, cancellationToken: token), limit.Token);
                if (Finished(job) is { } outcome)
                {
                    // A short Job can finish between this pass's pod listing (still Pending) and its job read: its
                    // logs are then read once, whole, rather than lost (a gate would read "no revision" from them).
                    await (following ?? ReadFinishedAsync(selector, text => { lock (logs) logs.Add(text); line?.Invoke(text); }, limit.Token));

                    return new JobResult(request.Name, outcome.Succeeded, outcome.Reason, logs, Started: following is not null || (pod is not null && Ran(pod)));
                }

                await Task.Delay(TimeSpan.FromMilliseconds(200), limit.Token);
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return new JobResult(request.Name, false, $"not finished after {request.Timeout.TotalSeconds:0.#}s (deadline)", logs, Started: following is not null);
        }
    }

    /// <summary>kubectl logs: the lines of the Job's newest pod, which has stopped.</summary>
    private async Task ReadFinishedAsync(string selector, Action<string> line, CancellationToken cancellationToken)
    {
        var pods = await _scope.Api.CallAsync($"list pods -l {selector}",
            token => _scope.Client.CoreV1.ListNamespacedPodAsync(_scope.Namespace, labelSelector: selector, cancellationToken: token), cancellationToken);
        if (pods.Items.OrderBy(p => p.Metadata.CreationTimestamp).LastOrDefault() is { } pod && Ran(pod))
        {
            await FollowAsync(pod.Metadata.Name, line, cancellationToken);
        }
    }

    /// <summary>kubectl logs -f: the pod's lines until its container stops.</summary>
    private async Task FollowAsync(string pod, Action<string> line, CancellationToken cancellationToken)
    {
        await using var stream = await _scope.Api.CallAsync($"logs -f pod/{pod}",
            token => _scope.Client.CoreV1.ReadNamespacedPodLogAsync(pod, _scope.Namespace, follow: true, cancellationToken: token), cancellationToken);
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync(cancellationToken) is { } text)
        {
            line(text);
        }
    }

    /// <summary>Whether a container of the pod has started (running now, or terminated after running).</summary>
    private static bool Ran(V1Pod pod) =>
        pod.Status?.Phase is "Running" or "Succeeded" or "Failed"
        || (pod.Status?.ContainerStatuses ?? []).Any(status => status.State?.Running is not null || status.State?.Terminated is not null || status.RestartCount > 0);

    private static (bool Succeeded, string Reason)? Finished(V1Job job)
    {
        foreach (var condition in job.Status?.Conditions ?? [])
        {
            if (condition.Status == "True" && condition.Type is "Complete" or "Failed")
            {
                return (condition.Type == "Complete", $"{condition.Type}{(condition.Reason is null ? "" : $" ({condition.Reason}: {condition.Message})")}");
            }
        }

        return null;
    }

    private static IEnumerable<(V1Volume Volume, V1VolumeMount Mount)> Files(JobRequest request) =>
        (request.Files ?? []).Select((file, index) => (
            new V1Volume { Name = $"twisterlab-file-{index}", ConfigMap = new V1ConfigMapVolumeSource { Name = file.ConfigMap, Items = [new V1KeyToPath { Key = file.Key, Path = file.Key }] } },
            new V1VolumeMount { Name = $"twisterlab-file-{index}", MountPath = file.MountPath, SubPath = file.Key, ReadOnlyProperty = true }));

    /// <summary>The deployment's pod, minus what serves traffic (probes, ports, lifecycle), running the command once.</summary>
    private V1Job Build(JobRequest request, V1Deployment deployment)
    {
        var spec = deployment.Spec.Template.Spec;
        var source = (request.Container is null ? spec.Containers.FirstOrDefault() : spec.Containers.FirstOrDefault(c => c.Name == request.Container))
            ?? throw new ClusterException($"deployment/{request.Deployment} in namespace {_scope.Namespace} has no container {request.Container}: check --container.");
        var labels = new Dictionary<string, string> { [JobLabel] = request.Name, ["app.kubernetes.io/managed-by"] = ClusterGateway.FieldManager };
        return new V1Job
        {
            Metadata = new V1ObjectMeta { Name = request.Name, NamespaceProperty = _scope.Namespace, Labels = labels },
            Spec = new V1JobSpec
            {
                BackoffLimit = 0,
                ActiveDeadlineSeconds = (long)Math.Ceiling(request.Timeout.TotalSeconds),
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        RestartPolicy = "Never",
                        ServiceAccountName = spec.ServiceAccountName,
                        ImagePullSecrets = spec.ImagePullSecrets,
                        SecurityContext = spec.SecurityContext,
                        Volumes = [.. spec.Volumes ?? [], .. Files(request).Select(file => file.Volume)],
                        NodeSelector = spec.NodeSelector,
                        Tolerations = spec.Tolerations,
                        Containers =
                        [
                            new V1Container
                            {
                                Name = source.Name,
                                Image = request.Image,
                                Command = request.Command.ToList(),
                                Env = source.Env,
                                EnvFrom = source.EnvFrom,
                                VolumeMounts = [.. source.VolumeMounts ?? [], .. Files(request).Select(file => file.Mount)],
                                Resources = source.Resources,
                                SecurityContext = source.SecurityContext,
                                WorkingDir = source.WorkingDir,
                            },
                        ],
                    },
                },
            },
        };
    }
}
