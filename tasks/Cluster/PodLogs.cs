using k8s;

namespace TwisterLab.Cake.Cluster;

/// <summary>kubectl logs deployment/x --since=…: the log lines of every pod of a deployment, over a recent window.</summary>
public static class PodLogs
{
    public static string DescribeLogs(this ClusterGateway cluster, string deployment, TimeSpan since) =>
        cluster.Scope.Kubectl.Namespaced("logs", $"deployment/{deployment}", $"--since={(long)since.TotalSeconds}s").ToString();

    public static async Task<IReadOnlyList<string>> ReadLogsAsync(this ClusterGateway cluster, string deployment, TimeSpan since, CancellationToken cancellationToken)
    {
        var selector = (await cluster.Deployments.GetAsync(deployment, cancellationToken)).Spec.Selector.MatchLabels;
        var query = string.Join(",", selector.Select(pair => $"{pair.Key}={pair.Value}"));
        var pods = await cluster.Scope.Api.CallAsync($"list pods -l {query}", token => cluster.Client.CoreV1.ListNamespacedPodAsync(cluster.Namespace, labelSelector: query, cancellationToken: token), cancellationToken);
        var lines = new List<string>();
        foreach (var pod in pods.Items)
        {
            await using var stream = await cluster.Scope.Api.CallAsync($"logs of pod/{pod.Metadata.Name}",
                token => cluster.Client.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, cluster.Namespace, sinceSeconds: (int)since.TotalSeconds, cancellationToken: token), cancellationToken);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(cancellationToken) is { } line)
            {
                lines.Add($"{pod.Metadata.Name}: {line}");
            }
        }

        return lines;
    }
}
