using System.Text.Json;
using System.Text.Json.Serialization;
using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake.Context;

/// <summary>
/// What differs between environments, read from <c>environments/&lt;name&gt;.json</c>. Every default is the
/// guide's value, so a profile only names what differs.
/// </summary>
/// <remarks>
/// Settable rather than init-only: its reader is generated at compile time (<see cref="RunFilesJson"/>), and for an
/// init-only property that reader passes every property to the object initializer, null for each a profile leaves
/// out, where a setter is called only for what the file names and the defaults stay.
/// </remarks>
public sealed record EnvironmentProfile
{
    public string Namespace { get; set; } = "twisterlab";
    public string Deployment { get; set; } = "twisterlab-api";
    public string Container { get; set; } = "twisterlab-api";
    public string Image { get; set; } = "twisterlab-api";
    public int Replicas { get; set; } = 3;
    public string Service { get; set; } = "twisterlab-api";
    public string PostgresDeployment { get; set; } = "postgres";
    public string RedisDeployment { get; set; } = "redis";
    public string DatabaseName { get; set; } = "twisterlab";
    public string DatabaseUser { get; set; } = "twisterlab";
    public string Secret { get; set; } = "twisterlab-secrets";
    public string HealthUrl { get; set; } = "http://edgeserver.twisterlab.local:30001/health";
    public string BaseUrl { get; set; } = "http://edgeserver.twisterlab.local:30001";
    public string? PrometheusUrl { get; set; }

    /// <summary>The monitor's window and sampling interval for this environment (e.g. "10s"; --monitor-window wins).</summary>
    public string? MonitorWindow { get; set; }

    public string? MonitorInterval { get; set; }

    /// <summary>Personal columns a copy of production must not carry as they are ([schema.]table.column:kind).</summary>
    public IReadOnlyList<string> Anonymize { get; set; } = [];

    /// <summary>Production needs --confirm (or a yes on a terminal) before anything changes.</summary>
    public bool RequiresConfirmation { get; set; }

    public Thresholds Thresholds { get; set; } = new();

    internal static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        TypeInfoResolver = RunFilesJson.ThenReflection,
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
