using System.Security.Cryptography;
using System.Text;
using k8s;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Data;

namespace TwisterLab.Cake.Rehearsal;

/// <summary>
/// What "the world is as it was" compares after a rollback: each deployment's images and replicas, each Service's
/// selector, a hash of each Secret's data (but the run journals'), and the database's integrity checksum (rows and content per table).
/// </summary>
public sealed record WorldSnapshot(IReadOnlyDictionary<string, string> Facts)
{
    public static async Task<WorldSnapshot> TakeAsync(ClusterGateway cluster, PostgresTarget database, CancellationToken cancellationToken = default)
    {
        var facts = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var client = cluster.Client;
        foreach (var deployment in (await client.AppsV1.ListNamespacedDeploymentAsync(cluster.Namespace, cancellationToken: cancellationToken)).Items)
        {
            var images = string.Join(",", deployment.Spec.Template.Spec.Containers.Select(container => $"{container.Name}={container.Image}"));
            facts[$"deployment/{deployment.Metadata.Name}"] = $"{images} replicas={deployment.Spec.Replicas}";
        }

        foreach (var service in (await client.CoreV1.ListNamespacedServiceAsync(cluster.Namespace, cancellationToken: cancellationToken)).Items)
        {
            facts[$"service/{service.Metadata.Name}"] = string.Join(",", (service.Spec.Selector ?? new Dictionary<string, string>()).OrderBy(pair => pair.Key).Select(pair => $"{pair.Key}={pair.Value}"));
        }

        // The runs' own journals (twisterlab-run-<id>) are the tool's bookkeeping, not the application's world.
        foreach (var secret in (await client.CoreV1.ListNamespacedSecretAsync(cluster.Namespace, cancellationToken: cancellationToken)).Items
                     .Where(secret => !secret.Metadata.Name.StartsWith(RunJournalSecrets.Prefix, StringComparison.Ordinal)))
        {
            var data = string.Join(";", (secret.Data ?? new Dictionary<string, byte[]>()).OrderBy(pair => pair.Key).Select(pair => pair.Key + "=" + Convert.ToBase64String(pair.Value)));
            facts[$"secret/{secret.Metadata.Name}"] = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(data)))[..16];
        }

        var integrity = await IntegritySnapshotter.TakeAsync(database, withChecksums: true, cancellationToken);
        foreach (var table in integrity.Tables)
        {
            facts[$"table/{table.Table}"] = $"rows={table.Rows} checksum={table.Checksum}";
        }

        facts["alembic"] = integrity.AlembicRevision ?? "(none)";
        return new WorldSnapshot(facts);
    }

    /// <summary>What differs, one line per fact, for a test failure message.</summary>
    public IReadOnlyList<string> Differences(WorldSnapshot other) =>
        Facts.Keys.Union(other.Facts.Keys).Order(StringComparer.Ordinal)
            .Where(key => Facts.GetValueOrDefault(key) != other.Facts.GetValueOrDefault(key))
            .Select(key => $"{key}: {Facts.GetValueOrDefault(key) ?? "(absent)"} -> {other.Facts.GetValueOrDefault(key) ?? "(absent)"}")
            .ToList();
}
