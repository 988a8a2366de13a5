using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace TwisterLab.Cake.Data;

/// <summary>What a backup contains, written beside it as <c>&lt;backup&gt;.manifest.json</c>. Holds no secrets.</summary>
public sealed record BackupManifest
{
    public required string Database { get; init; }
    public required string Server { get; init; }
    public required string ServerVersion { get; init; }
    public required string Format { get; init; }
    public int? Compression { get; init; }
    public int? Jobs { get; init; }
    /// <summary>Why these pg_dump options: the guide says plain <c>pg_dump -Fc</c>; we measured other defaults.</summary>
    public string? OptionsReason { get; init; }
    public required long SizeBytes { get; init; }
    /// <summary>SHA-256 of the archive file, or for the directory format of the sorted "name sha256" lines of its files.</summary>
    public required string Sha256 { get; init; }
    public IReadOnlyDictionary<string, string>? Files { get; init; }
    public required IReadOnlyDictionary<string, long> TableRows { get; init; }
    public string? AlembicRevision { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public double DurationSeconds { get; init; }

    /// <summary>The cluster (server, context, kube-system UID), namespace and environment of the run that took it: FullRollback restores it only there.</summary>
    public Cluster.ClusterBinding? Cluster { get; init; }

    /// <summary>The manifest's row counts as an integrity snapshot without checksums, to compare a restored database with.</summary>
    public IntegritySnapshot ToIntegritySnapshot() =>
        new(TableRows.Select(table => new TableIntegrity(table.Key, table.Value, null)).ToList(), AlembicRevision);

    public static string PathFor(string backupPath) => backupPath.TrimEnd('/') + ".manifest.json";

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        TypeInfoResolver = JsonTypeInfoResolver.Combine(BackupManifestJson.Default, new DefaultJsonTypeInfoResolver()),
    };

    public async Task WriteAsync(string backupPath, CancellationToken cancellationToken = default)
    {
        var path = PathFor(backupPath);
        await File.WriteAllTextAsync(path + ".partial", JsonSerializer.Serialize(this, Json), cancellationToken);
        File.Move(path + ".partial", path, overwrite: true);
    }

    public static async Task<BackupManifest> ReadAsync(string backupPath, CancellationToken cancellationToken = default)
    {
        var path = PathFor(backupPath);
        if (!File.Exists(path))
            throw new DataOperationException($"Backup manifest {path} is missing: a backup without its manifest cannot be verified; take a new backup.");
        try
        {
            return JsonSerializer.Deserialize<BackupManifest>(await File.ReadAllTextAsync(path, cancellationToken), Json)
                   ?? throw new JsonException("empty");
        }
        catch (JsonException ex)
        {
            throw new DataOperationException($"Backup manifest {path} is not valid JSON ({ex.Message}): take a new backup.", ex);
        }
    }
}

/// <summary>
/// The manifest's reader and writer, generated at compile time: by reflection they would be built on first use with
/// Reflection.Emit and generic code that no ahead-of-time image holds, on every backup's and restore's path.
/// </summary>
[JsonSerializable(typeof(BackupManifest))]
internal sealed partial class BackupManifestJson : JsonSerializerContext;
