namespace TwisterLab.Cake.Data;

public sealed record SqliteColumn(string Name, string DeclaredType, bool NotNull, string? DefaultSql, PgColumnType Target);

public sealed record SqliteForeignKey(IReadOnlyList<string> Columns, string ReferencedTable, IReadOnlyList<string> ReferencedColumns, string OnDelete, string OnUpdate);

/// <summary>An index or UNIQUE constraint. <see cref="Where"/> is set for partial indexes (copied when it only uses plain SQL).</summary>
public sealed record SqliteIndex(string Name, IReadOnlyList<string> Columns, bool Unique, bool IsConstraint, string? Where);

public sealed record SqliteTable(
    string Name,
    IReadOnlyList<SqliteColumn> Columns,
    IReadOnlyList<string> PrimaryKey,
    bool AutoIncrement,
    bool WithoutRowId,
    IReadOnlyList<SqliteForeignKey> ForeignKeys,
    IReadOnlyList<SqliteIndex> Indexes,
    long? SequenceValue)
{
    /// <summary>
    /// A single INTEGER PRIMARY KEY on a rowid table is the rowid itself: SQLite hands out its values when none is
    /// given, so in PostgreSQL it becomes an identity column (with or without AUTOINCREMENT).
    /// </summary>
    public bool HasGeneratedKey => !WithoutRowId && PrimaryKey.Count == 1
        && Columns.First(c => c.Name == PrimaryKey[0]).DeclaredType.Equals("INTEGER", StringComparison.OrdinalIgnoreCase);
}
