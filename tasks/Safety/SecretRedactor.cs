using System.Text.RegularExpressions;

namespace TwisterLab.Cake.Safety;

/// <summary>
/// Keeps secrets out of logs, plans, reports and exceptions: passwords inside URLs and connection strings,
/// and every value the run learned is secret (e.g. a DATABASE_URL read from a Secret).
/// </summary>
public sealed partial class SecretRedactor
{
    public const string Mask = "***";

    private readonly HashSet<string> _secrets = [];
    private readonly Lock _gate = new();

    /// <summary>Remembers a value that must never be printed, wherever it shows up.</summary>
    public void Add(string? secret)
    {
        // Very short values would mask ordinary words; they are not credentials worth the damage.
        if (string.IsNullOrEmpty(secret) || secret.Length < 4)
        {
            return;
        }

        lock (_gate)
        {
            _secrets.Add(secret);
        }
    }

    public string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        string[] secrets;
        lock (_gate)
        {
            secrets = _secrets.OrderByDescending(secret => secret.Length).ToArray();
        }

        foreach (var secret in secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        return RedactPatterns(text);
    }

    /// <summary>The rules that need no list: URL user info and key=value passwords (the data layer's, one set of rules).</summary>
    public static string RedactPatterns(string text) => Data.SecretRedactor.Redact(text);

    public static bool IsSecretName(string name) => SecretName().IsMatch(name);

    [GeneratedRegex("password|passwd|secret|token|database-url|credential", RegexOptions.IgnoreCase)]
    private static partial Regex SecretName();
}
