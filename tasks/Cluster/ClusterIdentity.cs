namespace TwisterLab.Cake.Cluster;

/// <summary>
/// Which cluster a run talks to. <see cref="Id"/> is the UID of the <c>kube-system</c> namespace: created with the
/// cluster and never renamed, it is the de-facto cluster id (a server URL changes with a load balancer or a tunnel,
/// a context name is only a local nickname).
/// </summary>
/// <param name="Server">The API server URL, e.g. https://10.0.0.1:6443.</param>
/// <param name="Context">The kubeconfig context used (null in a pod or for a ready-made configuration).</param>
/// <param name="Id">The kube-system namespace's UID.</param>
public sealed record ClusterIdentity(string Server, string? Context, string Id)
{
    public override string ToString() => $"{Server}{(Context is null ? "" : $" (context {Context})")}, cluster id {Id}";
}
