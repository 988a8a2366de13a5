using System.Globalization;
using System.Text.RegularExpressions;

namespace TwisterLab.Cake.Data;

/// <summary>
/// PostgreSQL DDL for a SQLite schema, split in the order a fast load needs: bare tables first, then (after the data)
/// primary keys, unique constraints, indexes, foreign keys and identity columns. Names are always quoted, so
/// reserved words (<c>user</c>, <c>order</c>) and mixed case (<c>Agents</c>) arrive unchanged.
/// </summary>
internal static partial class PostgresDdl
{
    public static string CreateTable(SqliteTable table, string? schema, List<string> warnings)
    {
        var columns = table.Columns.Select(c =>
        {
            var sql = $"{Sql.Quote(c.Name)} {SqliteTypeMapping.SqlName(c.Target, c.DeclaredType)}";
            if (c.NotNull || table.PrimaryKey.Contains(c.Name)) sql += " NOT NULL";
            var fallback = Default(c, out var warning);
            if (warning is not null) warnings.Add($"{table.Name}.{c.Name}: {warning}");
            return fallback is null ? sql : $"{sql} DEFAULT {fallback}";
        });
        return $"CREATE TABLE {Name(schema, table.Name)} ({string.Join(", ", columns)})";
    }

    /// <summary>
    /// Indexes to build after the data is in. Primary keys and unique constraints are built as plain unique indexes
    /// (<see cref="IndexBuild.Create"/>, a SHARE lock: several can run on one table at once, on separate connections)
    /// and become constraints afterwards (<see cref="IndexBuild.Attach"/>, <c>USING INDEX</c>: metadata only, the
    /// columns are already NOT NULL).
    /// </summary>
    public static IEnumerable<IndexBuild> KeysAndIndexes(SqliteTable table, string? schema, List<string> warnings)
    {
        var name = Name(schema, table.Name);
        if (table.PrimaryKey.Count > 0)
            yield return Constraint(name, Identifier(table.Name, "pkey"), "PRIMARY KEY", table.PrimaryKey);
        foreach (var index in table.Indexes)
        {
            if (index.Columns.Any(c => c.Length == 0))
            {
                warnings.Add($"{table.Name}: index {index.Name} is on an expression and was not copied; recreate it by hand.");
                continue;
            }
            if (index.Where is not null)
            {
                if (SimplePredicate().IsMatch(index.Where))
                {
                    yield return new IndexBuild(Identifier(index.Name), $"CREATE {(index.Unique ? "UNIQUE " : "")}INDEX {Sql.Quote(Identifier(index.Name))} ON {name} ({Columns(index.Columns)}) WHERE {index.Where}", null);
                }
                else
                {
                    warnings.Add($"{table.Name}: partial index {index.Name} has a predicate that may not be PostgreSQL SQL ({index.Where}); recreate it by hand.");
                }
                continue;
            }
            if (index.IsConstraint)
                yield return Constraint(name, Identifier(table.Name, string.Join("_", index.Columns), "key"), "UNIQUE", index.Columns);
            else
                yield return new IndexBuild(Identifier(index.Name), $"CREATE {(index.Unique ? "UNIQUE " : "")}INDEX {Sql.Quote(Identifier(index.Name))} ON {name} ({Columns(index.Columns)})", null);
        }
    }

    private static IndexBuild Constraint(string table, string constraint, string kind, IEnumerable<string> columns) => new(
        constraint,
        $"CREATE UNIQUE INDEX {Sql.Quote(constraint)} ON {table} ({Columns(columns)})",
        $"ALTER TABLE {table} ADD CONSTRAINT {Sql.Quote(constraint)} {kind} USING INDEX {Sql.Quote(constraint)}");

    /// <summary>
    /// Foreign keys in two steps: <see cref="ForeignKeyDdl.Add"/> (NOT VALID: metadata only, but it locks both tables
    /// against each other's writers, so these run one at a time) and <see cref="ForeignKeyDdl.Validate"/> (the scan for
    /// orphans, under locks that let validations of other tables run at the same time).
    /// </summary>
    public static IEnumerable<ForeignKeyDdl> ForeignKeys(SqliteTable table, string? schema, IReadOnlyDictionary<string, SqliteTable> migrated, List<string> warnings)
    {
        foreach (var fk in table.ForeignKeys)
        {
            if (!migrated.TryGetValue(fk.ReferencedTable, out var parent))
            {
                warnings.Add($"{table.Name}: foreign key to {fk.ReferencedTable} was not created because that table is not migrated.");
                continue;
            }
            var referenced = fk.ReferencedColumns.Count == fk.Columns.Count ? fk.ReferencedColumns : parent.PrimaryKey;
            var constraint = Sql.Quote(Identifier(table.Name, string.Join("_", fk.Columns), "fkey"));
            var add = $"ALTER TABLE {Name(schema, table.Name)} ADD CONSTRAINT {constraint} " +
                      $"FOREIGN KEY ({Columns(fk.Columns)}) REFERENCES {Name(schema, parent.Name)} ({Columns(referenced)}) ON DELETE {fk.OnDelete} ON UPDATE {fk.OnUpdate}";
            var childIndexed = table.PrimaryKey.Take(fk.Columns.Count).SequenceEqual(fk.Columns)
                               || table.Indexes.Any(i => i.Where is null && i.Columns.Take(fk.Columns.Count).SequenceEqual(fk.Columns));
            yield return new ForeignKeyDdl(parent.Name, add + " NOT VALID", $"ALTER TABLE {Name(schema, table.Name)} VALIDATE CONSTRAINT {constraint}", add, childIndexed);
        }
    }

    /// <summary>SQLite hands out rowids past the largest ever used (sqlite_sequence for AUTOINCREMENT); the identity starts after both.</summary>
    public static string? Identity(SqliteTable table, string? schema, long? maxKey)
    {
        if (!table.HasGeneratedKey) return null;
        var next = Math.Max(maxKey ?? 0, table.SequenceValue ?? 0) + 1;
        return $"ALTER TABLE {Name(schema, table.Name)} ALTER COLUMN {Sql.Quote(table.PrimaryKey[0])} ADD GENERATED BY DEFAULT AS IDENTITY (START WITH {next})";
    }

    /// <summary>Schema-qualified when loading into the staging schema; bare in the SQL export (psql's search_path decides).</summary>
    public static string Name(string? schema, string table) => schema is null ? Sql.Quote(table) : $"{Sql.Quote(schema)}.{Sql.Quote(table)}";

    private static string Columns(IEnumerable<string> columns) => string.Join(", ", columns.Select(Sql.Quote));

    /// <summary>PostgreSQL truncates identifiers at 63 bytes; truncate ourselves so the name we report is the real one.</summary>
    private static string Identifier(params string[] parts)
    {
        var name = string.Join("_", parts);
        while (System.Text.Encoding.UTF8.GetByteCount(name) > 63) name = name[..^1];
        return name;
    }

    private static string? Default(SqliteColumn column, out string? warning)
    {
        warning = null;
        if (column.DefaultSql is null) return null;
        var text = column.DefaultSql.Trim();
        while (text.StartsWith('(') && text.EndsWith(')')) text = text[1..^1].Trim();
        var upper = text.ToUpperInvariant();
        if (upper == "NULL") return null;
        if (upper is "CURRENT_TIMESTAMP" or "CURRENT_DATE" or "CURRENT_TIME") return upper;
        if (NowCall().IsMatch(text)) return "CURRENT_TIMESTAMP";
        if (column.Target == PgColumnType.Boolean)
        {
            if (upper is "1" or "TRUE" or "'1'" or "'T'" or "'TRUE'") return "true";
            if (upper is "0" or "FALSE" or "'0'" or "'F'" or "'FALSE'") return "false";
        }
        else if (upper is "TRUE" or "FALSE" && column.Target is PgColumnType.BigInt or PgColumnType.Numeric)
        {
            return upper == "TRUE" ? "1" : "0";
        }
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _) && column.Target is not (PgColumnType.Text or PgColumnType.Bytea or PgColumnType.Timestamp)) return text;
        if (StringLiteral().IsMatch(text) && column.Target is PgColumnType.Text or PgColumnType.Timestamp) return text;
        if (BlobLiteral().Match(text) is { Success: true } blob && column.Target == PgColumnType.Bytea) return $"'\\x{blob.Groups[1].Value}'::bytea";
        warning = $"default {column.DefaultSql} has no PostgreSQL equivalent and was dropped; set it by hand if the application relies on it.";
        return null;
    }

    [GeneratedRegex(@"^(datetime|strftime)\s*\(.*'now'.*\)$", RegexOptions.IgnoreCase)]
    private static partial Regex NowCall();

    [GeneratedRegex(@"^'([^']|'')*'$")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"^[xX]'([0-9a-fA-F]*)'$")]
    private static partial Regex BlobLiteral();

    // Quoted names, comparisons, IS [NOT] NULL, AND/OR and literals read the same in both dialects.
    [GeneratedRegex(@"^[\w\s""'=<>!.,()-]+$")]
    private static partial Regex SimplePredicate();
}

/// <summary>An index to build, and for a primary key or unique constraint the statement that makes it one.</summary>
internal sealed record IndexBuild(string Name, string Create, string? Attach);

/// <param name="Direct">The one-statement form (add and validate), for the SQL export.</param>
/// <param name="ChildIndexed">An index of the referencing table starts with the key's columns, so validation can merge two indexes.</param>
internal sealed record ForeignKeyDdl(string ReferencedTable, string Add, string Validate, string Direct, bool ChildIndexed);
