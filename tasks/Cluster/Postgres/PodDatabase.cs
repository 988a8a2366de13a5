namespace TwisterLab.Cake.Cluster.Postgres;

/// <summary>
/// A database reached the guide's way, through <c>kubectl exec</c> into the postgres deployment: the tools run in
/// the pod as <paramref name="User"/> over its local socket, so this machine needs neither a password nor a route.
/// </summary>
/// <param name="Deployment">The postgres deployment (exec picks its Ready pod).</param>
/// <param name="Container">The container; null = the pod's first.</param>
public sealed record PodDatabase(string Deployment, string Namespace, string User, string Database, string? Container = null)
{
    /// <summary>How manifests and messages name it (no secrets: there are none to name).</summary>
    public string Where => $"deployment/{Deployment} in namespace {Namespace}";

    public PodDatabase WithDatabase(string database) => this with { Database = database };
}
