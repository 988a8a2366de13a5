using System.Text.RegularExpressions;

namespace TwisterLab.Cake.Data;

/// <summary>What a personal column becomes in a copy of production.</summary>
public enum AnonymizationKind
{
    /// <summary>user-&lt;salted md5&gt;@example.invalid: still unique, still an address, never deliverable.</summary>
    Email,

    /// <summary>name-&lt;salted md5&gt;: unique where the original was.</summary>
    Name,

    /// <summary>Every character but whitespace becomes 'x': the length and line shape a load test sees stay.</summary>
    Text,

    /// <summary>NULL (the column must allow it).</summary>
    Null,
}

/// <summary>
/// One column of production data that must not reach staging as it is: <c>[schema.]table.column:kind</c>.
/// The SQL it renders runs inside the refresh's transaction, so no reader ever sees the original values.
/// </summary>
public sealed partial record AnonymizationRule(string Schema, string Table, string Column, AnonymizationKind Kind)
{
    public const string Syntax = "[schema.]table.column:kind (kinds: email, name, text, null)";

    public string QualifiedColumn => $"{Schema}.{Table}.{Column}";

    public override string ToString() => $"{QualifiedColumn}:{Kind.ToString().ToLowerInvariant()}";

    /// <summary>Parses one rule; null with the problem when the text is not a rule.</summary>
    public static AnonymizationRule? TryParse(string text, out string? problem)
    {
        var match = RulePattern().Match(text.Trim());
        if (!match.Success || !Enum.TryParse<AnonymizationKind>(match.Groups["kind"].Value, ignoreCase: true, out var kind))
        {
            problem = $"'{text}' is not an anonymization rule: write {Syntax}, e.g. users.email:email.";
            return null;
        }

        problem = null;
        var schema = match.Groups["schema"].Success ? match.Groups["schema"].Value : "public";
        return new AnonymizationRule(schema, match.Groups["table"].Value, match.Groups["column"].Value, kind);
    }

    public static IReadOnlyList<AnonymizationRule> ParseList(IEnumerable<string> texts) =>
        texts.SelectMany(text => text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            .Select(text => TryParse(text, out var problem) ?? throw new DataOperationException(problem!))
            .ToList();

    /// <summary>
    /// The UPDATE that replaces the column's values. The salt (random per run, never logged) keeps the hashes
    /// consistent inside one copy, so equal e-mails stay equal across tables, and not reversible by hashing a list of
    /// known addresses.
    /// </summary>
    public string UpdateSql(string salt)
    {
        var column = Sql.Quote(Column);
        var hash = $"md5({Literal(salt)} || {column}::text)";
        var value = Kind switch
        {
            AnonymizationKind.Email => $"'user-' || {hash} || '@example.invalid'",
            AnonymizationKind.Name => $"'name-' || {hash}",
            AnonymizationKind.Text => $"regexp_replace({column}::text, '\\S', 'x', 'g')",
            _ => "NULL",
        };
        return $"UPDATE {TableSql} SET {column} = {value} WHERE {column} IS NOT NULL;";
    }

    /// <summary>Counts the rows whose value is not in the anonymized form: zero after a correct refresh.</summary>
    public string ViolationsSql()
    {
        var column = Sql.Quote(Column);
        var condition = Kind switch
        {
            AnonymizationKind.Email => $"{column}::text !~ '^user-[0-9a-f]{{32}}@example\\.invalid$'",
            AnonymizationKind.Name => $"{column}::text !~ '^name-[0-9a-f]{{32}}$'",
            AnonymizationKind.Text => $"{column}::text ~ '\\S' AND {column}::text !~ '^[x\\s]*$'",
            _ => "true",
        };
        return $"SELECT count(*) FROM {TableSql} WHERE {column} IS NOT NULL AND {condition}";
    }

    private string TableSql => $"{Sql.Quote(Schema)}.{Sql.Quote(Table)}";

    private static string Literal(string text) => "'" + text.Replace("'", "''") + "'";

    [GeneratedRegex(@"^(?:(?<schema>[A-Za-z_][A-Za-z0-9_$]*)\.)?(?<table>[A-Za-z_][A-Za-z0-9_$]*)\.(?<column>[A-Za-z_][A-Za-z0-9_$]*):(?<kind>[A-Za-z]+)$")]
    private static partial Regex RulePattern();
}
