using System.Text.RegularExpressions;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;

namespace TwisterLab.Cake.Steps.PostgresUpgrade;

/// <summary>The new PostgreSQL server of a major upgrade: its deployment and Service (--new-postgres), manifest and address.</summary>
public static partial class NewPostgres
{
    public const string DatabaseUrlKey = "DATABASE_URL";

    public static string Name(DeployContext context) => context.Settings.NewPostgres;

    /// <summary>The guide's k8s/deployments/postgres-16.yaml.</summary>
    public static string Manifest(DeployContext context) => Path.Combine(context.Settings.ManifestsDir, "deployments", Name(context) + ".yaml");

    public static string ManifestShown(DeployContext context) => context.Shown(Manifest(context));

    /// <summary>The new server reached directly (--new-database-url); Preflight has checked it is given.</summary>
    public static PostgresTarget Database(DeployContext context) => PostgresTarget.Parse(context.Settings.NewDatabaseUrl!);

    /// <summary>
    /// The application's DATABASE_URL with its host replaced by the new Service: user, password, driver, port and
    /// database stay as the operator set them. Null when the URL has no host to replace.
    /// </summary>
    public static string? PointAt(string databaseUrl, string host)
    {
        var match = UrlHost().Match(databaseUrl);
        return match.Success ? match.Groups["head"].Value + host + match.Groups["rest"].Value : null;
    }

    /// <summary>The host of a DATABASE_URL (for messages: never the whole URL, it holds the password).</summary>
    public static string? HostOf(string databaseUrl) => UrlHost().Match(databaseUrl) is { Success: true } match ? match.Groups["host"].Value : null;

    // scheme://[user[:password]@]host[:port]/database?...
    [GeneratedRegex(@"^(?<head>[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/]*@)?)(?<host>[^:/?@]+)(?<rest>.*)$")]
    private static partial Regex UrlHost();
}
