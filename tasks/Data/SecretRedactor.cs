using System.Text.RegularExpressions;

namespace TwisterLab.Cake.Data;

/// <summary>Removes passwords from connection strings and URLs before they reach a message, log or manifest.</summary>
public static partial class SecretRedactor
{
    public const string Mask = "***";

    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text ?? string.Empty;
        var withoutUrlPasswords = UrlUserInfo().Replace(text, m => $"{m.Groups["scheme"].Value}{m.Groups["user"].Value}:{Mask}@");
        return KeyValuePassword().Replace(withoutUrlPasswords, m => $"{m.Groups["key"].Value}={Mask}");
    }

    // scheme://user:password@host — the password ends at the last '@' before the host part.
    [GeneratedRegex(@"(?<scheme>[a-zA-Z][a-zA-Z0-9+.\-]*://)(?<user>[^:/@\s]*):(?<pass>[^\s/]*)@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlUserInfo();

    // Npgsql / libpq / ADO forms: Password=..., pwd=..., password='...'; values end at ';' or whitespace.
    [GeneratedRegex(@"(?<key>\b(?:password|pwd|pass|pgpassword|requirepass|token|secret)\b)\s*[=:]\s*(?:'[^']*'|""[^""]*""|[^;\s]*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KeyValuePassword();
}
