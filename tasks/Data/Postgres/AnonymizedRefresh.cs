using System.Data;
using System.Security.Cryptography;
using Npgsql;
using TwisterLab.Cake.Tools;

namespace TwisterLab.Cake.Data;

/// <summary>What a refresh copied: the source's row counts in the dump's snapshot, equal in the target afterwards.</summary>
public sealed record RefreshResult(IReadOnlyDictionary<string, long> Rows, long DumpBytes, IReadOnlyList<AnonymizationRule> Anonymized);

/// <summary>
/// Refreshes a staging database from production, the guide's "pg_dump … | psql …", with the personal columns
/// anonymized in the same transaction as the load: nobody can read the target between the copy and the anonymization.
/// The source is only read (one REPEATABLE READ snapshot, shared with pg_dump); afterwards the target must hold every
/// table with the snapshot's row count and no value of an anonymized column in its original form.
/// </summary>
public static class AnonymizedRefresh
{
    private static readonly string[] TextTypes = ["text", "character varying", "character", "citext", "name"];

    /// <summary>What is wrong with the rules for this source (a column missing, not text, not nullable); empty when fine.</summary>
    public static async Task<IReadOnlyList<string>> ProblemsAsync(PostgresTarget source, IReadOnlyList<AnonymizationRule> rules, CancellationToken cancellationToken)
    {
        await using var connection = await PostgresErrors.OpenAsync(source, cancellationToken);
        return await ProblemsAsync(connection, rules, cancellationToken);
    }

    /// <summary>
    /// Whether two addresses reach the same database, asked of the servers themselves: two port-forwards (or localhost
    /// and 127.0.0.1) to one server differ in their URLs but not in the server's own address, port and database.
    /// </summary>
    public static async Task<bool> SameDatabaseAsync(PostgresTarget one, PostgresTarget other, CancellationToken cancellationToken)
    {
        var (first, second) = (await IdentityAsync(one, cancellationToken), await IdentityAsync(other, cancellationToken));
        return first is not null && first == second;
    }

    /// <summary>The server's own address, port and database; null over a Unix socket (no address to compare).</summary>
    private static async Task<string?> IdentityAsync(PostgresTarget target, CancellationToken cancellationToken)
    {
        await using var connection = await PostgresErrors.OpenAsync(target, cancellationToken);
        await using var command = new NpgsqlCommand("SELECT inet_server_addr()::text || ':' || inet_server_port() || '/' || current_database()", connection);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public static async Task<RefreshResult> RefreshAsync(PostgresTarget source, PostgresTarget target, IReadOnlyList<AnonymizationRule> rules, CancellationToken cancellationToken)
    {
        await using var connection = await PostgresErrors.OpenAsync(source, cancellationToken);
        await using var snapshot = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        if (await ProblemsAsync(connection, rules, cancellationToken) is [var first, ..])
        {
            throw new DataOperationException($"Anonymization: {first}.");
        }

        await using var export = new NpgsqlCommand("SELECT pg_export_snapshot()", connection);
        var snapshotId = (string)(await export.ExecuteScalarAsync(cancellationToken))!;
        var rows = await DatabaseCatalog.RowCountsAsync(connection, await DatabaseCatalog.TablesAsync(connection, cancellationToken), cancellationToken);

        var salt = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var bytes = await new DumpIntoPsqlPipe(DumpSettings(source, snapshotId), LoadSettings(target))
            .RunAsync(rules.Select(rule => rule.UpdateSql(salt)), cancellationToken);
        await snapshot.CommitAsync(cancellationToken);

        await VerifyAsync(target, rows, rules, cancellationToken);
        return new RefreshResult(rows, bytes, rules);
    }

    /// <summary>Every source table with its snapshot's row count, and no anonymized column left in its original form.</summary>
    private static async Task VerifyAsync(PostgresTarget target, IReadOnlyDictionary<string, long> expected, IReadOnlyList<AnonymizationRule> rules, CancellationToken cancellationToken)
    {
        await using var connection = await PostgresErrors.OpenAsync(target, cancellationToken);
        var tables = (await DatabaseCatalog.TablesAsync(connection, cancellationToken)).Where(table => expected.ContainsKey(table.QualifiedName)).ToList();
        var actual = await DatabaseCatalog.RowCountsAsync(connection, tables, cancellationToken);
        foreach (var (table, count) in expected)
        {
            if (!actual.TryGetValue(table, out var copied) || copied != count)
            {
                throw new DataOperationException($"Refresh incomplete: {table} has {(actual.ContainsKey(table) ? copied.ToString() : "no table")} in {target}, {count} rows in the source's snapshot.");
            }
        }

        foreach (var rule in rules)
        {
            await using var command = new NpgsqlCommand(rule.ViolationsSql(), connection);
            if ((long)(await command.ExecuteScalarAsync(cancellationToken))! is var left and > 0)
            {
                throw new DataOperationException($"Anonymization incomplete: {left} value(s) of {rule.QualifiedColumn} are not in the {rule.Kind.ToString().ToLowerInvariant()} form in {target}.");
            }
        }
    }

    private static async Task<IReadOnlyList<string>> ProblemsAsync(NpgsqlConnection connection, IReadOnlyList<AnonymizationRule> rules, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT format_type(a.atttypid, NULL), a.attnotnull
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = $1 AND c.relname = $2 AND a.attname = $3 AND a.attnum > 0 AND NOT a.attisdropped
            """;
        var problems = new List<string>();
        foreach (var rule in rules)
        {
            await using var command = new NpgsqlCommand(sql, connection) { Parameters = { new() { Value = rule.Schema }, new() { Value = rule.Table }, new() { Value = rule.Column } } };
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                problems.Add($"column {rule.QualifiedColumn} does not exist in the source database (check --anonymize)");
            }
            else if (rule.Kind == AnonymizationKind.Null && reader.GetBoolean(1))
            {
                problems.Add($"column {rule.QualifiedColumn} is NOT NULL: anonymize it as text or name instead of null");
            }
            else if (rule.Kind != AnonymizationKind.Null && !TextTypes.Contains(reader.GetString(0)))
            {
                problems.Add($"column {rule.QualifiedColumn} is {reader.GetString(0)}, not text: only text columns can be rewritten (use null)");
            }
        }

        return problems;
    }

    private static PgDumpSettings DumpSettings(PostgresTarget source, string snapshotId)
    {
        // Plain SQL that first drops what it recreates (--clean --if-exists), without the source's owners and grants:
        // staging has its own roles.
        var settings = new PgDumpSettings { Format = PgDumpFormat.Plain, Snapshot = snapshotId, Clean = true, NoOwner = true, NoPrivileges = true };
        settings.ConnectTo(source);
        return settings;
    }

    private static PsqlSettings LoadSettings(PostgresTarget target)
    {
        var settings = new PsqlSettings { StopOnError = true, SingleTransaction = true };
        settings.ConnectTo(target);
        return settings;
    }
}
