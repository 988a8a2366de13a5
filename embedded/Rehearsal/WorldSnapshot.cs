using System.Security.Cryptography;
using System.Text;
using k8s;
using TwisterLab.Cake.Cluster;
using StackExchange.Redis;
using TwisterLab.Cake.Data;

namespace TwisterLab.Cake.Rehearsal;

/// <summary>
/// What "the world is as it was" compares after a rollback: each deployment's images and replicas, each Service's
/// selector, a hash of each Secret's data (but the run journals'), each node's kubelet and schedulability, the database's
/// integrity checksum (rows and content per table) and, given Redis, a hash of its keys and values.
/// </summary>
public sealed record WorldSnapshot(IReadOnlyDictionary<string, string> Facts)
{
    public static async Task<WorldSnapshot> TakeAsync(ClusterGateway cluster, PostgresTarget database, CancellationToken cancellationToken = default) =>
        await TakeAsync(cluster, database, redis: null, cancellationToken);

    public static async Task<WorldSnapshot> TakeAsync(ClusterGateway cluster, PostgresTarget database, RedisTarget? redis, CancellationToken cancellationToken = default)
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

        foreach (var node in (await client.CoreV1.ListNodeAsync(cancellationToken: cancellationToken)).Items)
        {
            facts[$"node/{node.Metadata.Name}"] = $"kubelet={node.Status?.NodeInfo?.KubeletVersion} unschedulable={node.Spec?.Unschedulable ?? false}";
        }

        if (redis is not null)
        {
            facts["redis"] = await RedisFactAsync(redis);
        }

        var integrity = await IntegritySnapshotter.TakeAsync(database, withChecksums: true, cancellationToken);
        foreach (var table in integrity.Tables)
        {
            facts[$"table/{table.Table}"] = $"rows={table.Rows} checksum={table.Checksum}";
        }

        facts["alembic"] = integrity.AlembicRevision ?? "(none)";
        return new WorldSnapshot(facts);
    }

    /// <summary>The number of keys and a hash of every key with its dumped value, in key order.</summary>
    private static async Task<string> RedisFactAsync(RedisTarget redis)
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ToOptions());
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        var database = connection.GetDatabase();
        var text = new StringBuilder();
        var keys = server.Keys(pattern: "*").Select(key => (string)key!).Order(StringComparer.Ordinal).ToList();
        foreach (var key in keys)
        {
            text.Append(key).Append('=').Append(Convert.ToBase64String((byte[]?)await database.KeyDumpAsync(key) ?? [])).Append(';');
        }

        return $"keys={keys.Count} hash={Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16]}";
    }

    /// <summary>What differs, one line per fact, for a test failure message.</summary>
    public IReadOnlyList<string> Differences(WorldSnapshot other) =>
        Facts.Keys.Union(other.Facts.Keys).Order(StringComparer.Ordinal)
            .Where(key => Facts.GetValueOrDefault(key) != other.Facts.GetValueOrDefault(key))
            .Select(key => $"{key}: {Facts.GetValueOrDefault(key) ?? "(absent)"} -> {other.Facts.GetValueOrDefault(key) ?? "(absent)"}")
            .ToList();
}
