using Npgsql;

namespace TwisterLab.Cake.Data;

/// <summary>A user table: schema-qualified name, its primary-key columns (empty when none) and whether each is collatable.</summary>
public sealed record TableInfo(string Schema, string Name, IReadOnlyList<KeyColumn> PrimaryKey)
{
    public string QualifiedName => $"{Schema}.{Name}";
    public string Quoted => $"{Sql.Quote(Schema)}.{Sql.Quote(Name)}";
}

public sealed record KeyColumn(string Name, bool Collatable);

/// <summary>Read-only questions about a database: tables, keys, row counts, versions.</summary>
public static class DatabaseCatalog
{
    public static async Task<IReadOnlyList<TableInfo>> TablesAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        const string sql = """
            SELECT n.nspname, c.relname,
                   coalesce(array_agg(a.attname::text ORDER BY k.ord) FILTER (WHERE a.attname IS NOT NULL), '{}'),
                   coalesce(array_agg(a.attcollation <> 0 ORDER BY k.ord) FILTER (WHERE a.attname IS NOT NULL), '{}')
            FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_constraint pk ON pk.conrelid = c.oid AND pk.contype = 'p'
            LEFT JOIN LATERAL unnest(pk.conkey) WITH ORDINALITY AS k(attnum, ord) ON true
            LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
            WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
              AND NOT c.relispartition
            GROUP BY n.nspname, c.relname
            ORDER BY n.nspname, c.relname
            """;
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var tables = new List<TableInfo>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var names = reader.GetFieldValue<string[]>(2);
            var collatable = reader.GetFieldValue<bool[]>(3);
            tables.Add(new TableInfo(reader.GetString(0), reader.GetString(1), names.Select((n, i) => new KeyColumn(n, collatable[i])).ToList()));
        }
        return tables;
    }

    /// <summary>Exact row counts (count(*)), in one round trip.</summary>
    public static async Task<Dictionary<string, long>> RowCountsAsync(NpgsqlConnection connection, IReadOnlyList<TableInfo> tables, CancellationToken cancellationToken = default)
    {
        var counts = new Dictionary<string, long>();
        if (tables.Count == 0) return counts;
        var sql = string.Join(" UNION ALL ", tables.Select((t, i) => $"SELECT {i}, count(*) FROM {t.Quoted}"));
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) counts[tables[reader.GetInt32(0)].QualifiedName] = reader.GetInt64(1);
        return counts;
    }

    public static async Task<string> ServerVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        await using var command = new NpgsqlCommand("SHOW server_version", connection);
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public static async Task<int> ServerVersionNumberAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        await using var command = new NpgsqlCommand("SHOW server_version_num", connection);
        return int.Parse((string)(await command.ExecuteScalarAsync(cancellationToken))!);
    }

    public static async Task<bool> DatabaseExistsAsync(NpgsqlConnection maintenance, string database, CancellationToken cancellationToken = default)
    {
        await using var command = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", maintenance) { Parameters = { new() { Value = database } } };
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }
}

/// <summary>SQL text helpers.</summary>
public static class Sql
{
    /// <summary>Always quotes: reserved words (user, order) and mixed case (Agents) survive as they are.</summary>
    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    public static string Literal(string value) => "'" + value.Replace("'", "''") + "'";
}
