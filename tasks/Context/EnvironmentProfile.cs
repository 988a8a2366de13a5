using System.Text.Json;
using System.Text.Json.Serialization;
using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake.Context;

/// <summary>
/// What differs between environments, read from <c>environments/&lt;name&gt;.json</c>. Every default is the
/// guide's value, so a profile only names what differs.
/// </summary>
public sealed record EnvironmentProfile
{
    public string Namespace { get; init; } = "twisterlab";
    public string Deployment { get; init; } = "twisterlab-api";
    public string Container { get; init; } = "twisterlab-api";
    public string Image { get; init; } = "twisterlab-api";
    public int Replicas { get; init; } = 3;
    public string Service { get; init; } = "twisterlab-api";
    public string PostgresDeployment { get; init; } = "postgres";
    public string RedisDeployment { get; init; } = "redis";
    public string DatabaseName { get; init; } = "twisterlab";
    public string DatabaseUser { get; init; } = "twisterlab";
    public string Secret { get; init; } = "twisterlab-secrets";
    public string HealthUrl { get; init; } = "http://edgeserver.twisterlab.local:30001/health";
    public string BaseUrl { get; init; } = "http://edgeserver.twisterlab.local:30001";
    public string? PrometheusUrl { get; init; }

    /// <summary>The monitor's window and sampling interval for this environment (e.g. "10s"; --monitor-window wins).</summary>
    public string? MonitorWindow { get; init; }

    public string? MonitorInterval { get; init; }

    /// <summary>Personal columns a copy of production must not carry as they are ([schema.]table.column:kind).</summary>
    public IReadOnlyList<string> Anonymize { get; init; } = [];

    /// <summary>Production needs --confirm (or a yes on a terminal) before anything changes.</summary>
    public bool RequiresConfirmation { get; init; }

    public Thresholds Thresholds { get; init; } = new();

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static EnvironmentProfile Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<EnvironmentProfile>(File.ReadAllText(path), Json)
                ?? throw new JsonException("the file is empty");
        }
        catch (JsonException exception)
        {
            throw new Hosting.BadInputException($"The environment profile '{path}' is not valid: {exception.Message}");
        }
    }
}
