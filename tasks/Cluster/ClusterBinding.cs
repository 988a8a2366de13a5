namespace TwisterLab.Cake.Cluster;

/// <summary>
/// What a journal or a backup belongs to: the cluster (its kube-system UID, with the server and context it was reached
/// by, for people), the namespace and the environment. A rollback or a restore refuses one bound elsewhere.
/// </summary>
/// <param name="ClusterId">The kube-system namespace's UID; null when the run never reached a cluster (or a dry run, which reads none).</param>
/// <param name="Rehearsal">Recorded by a rehearsal (the embedded cluster, --environment=rehearsal): never replayed by a real run.</param>
public sealed record ClusterBinding(string? ClusterId, string? Server, string? Context, string Namespace, string Environment, bool Rehearsal = false)
{
    public static ClusterBinding Of(ClusterIdentity identity, string @namespace, string environment, bool rehearsal) =>
        new(identity.Id, identity.Server, identity.Context, @namespace, environment, rehearsal);

    /// <summary>
    /// Why a record bound to this cannot be used by a run bound to <paramref name="current"/>, or null when it can.
    /// Clusters are compared by id; when either id is unknown (a dry run), by server URL.
    /// </summary>
    public string? ConflictWith(ClusterBinding current)
    {
        if (Rehearsal != current.Rehearsal)
        {
            return Rehearsal ? "it was recorded by a rehearsal" : "this run is a rehearsal";
        }

        var otherCluster = ClusterId is not null && current.ClusterId is not null
            ? ClusterId != current.ClusterId
            : Server is not null && current.Server is not null && Server != current.Server;
        if (otherCluster)
        {
            return "another cluster";
        }

        if (Namespace != current.Namespace)
        {
            return "another namespace";
        }

        return Environment != current.Environment ? "another environment" : null;
    }

    public override string ToString() =>
        $"{(Rehearsal ? "rehearsal " : "")}cluster {Server ?? "(none)"}{(Context is null ? "" : $" (context {Context})")}" +
        $"{(ClusterId is null ? "" : $", cluster id {ClusterId}")}, namespace {Namespace}, environment {Environment}";
}
