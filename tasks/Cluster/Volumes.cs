using k8s;

namespace TwisterLab.Cake.Cluster;

/// <summary>PersistentVolumeClaims.</summary>
public sealed class Volumes
{
    private readonly ClusterScope _scope;

    internal Volumes(ClusterScope scope) => _scope = scope;

    public string DescribeDeleteClaim(string name) => CommandDeleteClaim(name).ToString();

    public KubectlCommand CommandDeleteClaim(string name) => _scope.Kubectl.Namespaced("delete", $"pvc/{name}");

    /// <summary>Deletes a PVC (its data goes with it). Refused in production unless confirmed. False when it did not exist.</summary>
    public async Task<bool> DeleteClaimAsync(string name, DestructiveGuard guard, CancellationToken cancellationToken)
    {
        var where = $"pvc/{name} in namespace {_scope.Namespace}";
        guard.Check($"delete {where}");
        var deleted = await _scope.Api.FindAsync($"delete {where}", async token =>
        {
            try
            {
                await _scope.Client.CoreV1.DeleteNamespacedPersistentVolumeClaimAsync(name, _scope.Namespace, cancellationToken: token);
            }
            catch (System.Text.Json.JsonException)
            {
                // A 2xx whose body is a Status instead of the claim (allowed by the API): deleted all the same.
            }

            return name;
        }, cancellationToken);
        return deleted is not null;
    }
}
