namespace TwisterLab.Cake.Data;

/// <summary>The PostgreSQL type a SQLite column becomes.</summary>
public enum PgColumnType
{
    BigInt,
    DoublePrecision,
    Text,
    Bytea,
    Numeric,
    Boolean,
    Timestamp,
}

/// <summary>
/// SQLite declared type → PostgreSQL type. Follows SQLite's own affinity rules (https://sqlite.org/datatype3.html §3.1,
/// checked in that order) with the names apps really use picked out first: BOOLEAN → boolean (pgloader has no such rule
/// and lands booleans as bigint), DATE/DATETIME/TIMESTAMP → timestamp, DECIMAL/NUMERIC keep their typmod.
/// A column without a type has BLOB affinity ("stores anything") and becomes bytea.
/// </summary>
public static class SqliteTypeMapping
{
    public static PgColumnType Map(string declaredType)
    {
        var type = declaredType.Trim().ToUpperInvariant();
        if (type.StartsWith("BOOL", StringComparison.Ordinal)) return PgColumnType.Boolean;
        if (type is "DATE" or "DATETIME" or "TIMESTAMP" || type.StartsWith("TIMESTAMP", StringComparison.Ordinal) || type.StartsWith("DATETIME", StringComparison.Ordinal)) return PgColumnType.Timestamp;
        if (type.Contains("INT", StringComparison.Ordinal)) return PgColumnType.BigInt;
        if (type.Contains("CHAR", StringComparison.Ordinal) || type.Contains("CLOB", StringComparison.Ordinal) || type.Contains("TEXT", StringComparison.Ordinal)) return PgColumnType.Text;
        if (type.Length == 0 || type.Contains("BLOB", StringComparison.Ordinal)) return PgColumnType.Bytea;
        if (type.Contains("REAL", StringComparison.Ordinal) || type.Contains("FLOA", StringComparison.Ordinal) || type.Contains("DOUB", StringComparison.Ordinal)) return PgColumnType.DoublePrecision;
        return PgColumnType.Numeric;
    }

    /// <summary>The DDL type name; numeric keeps a declared precision/scale such as DECIMAL(10,2).</summary>
    public static string SqlName(PgColumnType type, string declaredType) => type switch
    {
        PgColumnType.BigInt => "bigint",
        PgColumnType.DoublePrecision => "double precision",
        PgColumnType.Text => "text",
        PgColumnType.Bytea => "bytea",
        PgColumnType.Boolean => "boolean",
        PgColumnType.Timestamp => "timestamp",
        _ => NumericWithTypmod(declaredType),
    };

    private static string NumericWithTypmod(string declaredType)
    {
        var open = declaredType.IndexOf('(');
        var close = declaredType.IndexOf(')');
        if (open < 0 || close < open) return "numeric";
        var typmod = declaredType[(open + 1)..close].Replace(" ", "");
        return typmod.Split(',').All(part => int.TryParse(part, out _)) ? $"numeric({typmod})" : "numeric";
    }
}
