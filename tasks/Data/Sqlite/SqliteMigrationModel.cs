namespace TwisterLab.Cake.Data;

public sealed record SqliteMigrationOptions
{
    /// <summary>Replace tables that already exist in PostgreSQL (dropped inside the migration's transaction, so a failure brings them back).</summary>
    public bool DropExisting { get; init; }

    /// <summary>
    /// Also write a psql-importable SQL export (<c>--sql-out=file</c>), the guide's sqlite_export.sql; gzip-compressed
    /// when the name ends in <c>.gz</c>. With a target it is written at the same time as the load, from its own read.
    /// </summary>
    public string? SqlOutPath { get; init; }

    /// <summary>Keep a hashed copy of the SQLite file here (byte-exact), taken at the same time as the load.</summary>
    public string? CopyPath { get; init; }

    /// <summary>Only these tables (null: all).</summary>
    public IReadOnlyList<string>? Tables { get; init; }

    public IReadOnlyList<string> ExcludeTables { get; init; } = [];

    /// <summary>Read every table back from PostgreSQL and compare row count and checksum before publishing.</summary>
    public bool Verify { get; init; } = true;

    /// <summary>Connections working at once — loads, index builds, checksums, foreign keys (default: the machine's cores, at most 4).</summary>
    public int Parallelism { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>The schema the tables end up in.</summary>
    public string Schema { get; init; } = "public";

    /// <summary>Shows rows and rows/s per table while a run's import or export reads it.</summary>
    public Progress.ProgressReporter? Progress { get; init; }
}

public sealed record SqliteTableResult(string Table, long Rows, string SourceChecksum, string? TargetChecksum);

/// <summary>What a migration did. <see cref="CreatedTables"/> is its undo: dropping them returns PostgreSQL to before.</summary>
public sealed record SqliteMigrationReport(
    IReadOnlyList<SqliteTableResult> Tables,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<string> CreatedTables,
    TimeSpan Duration)
{
    /// <summary>The schema <see cref="CreatedTables"/> live in.</summary>
    public string Schema { get; init; } = "public";

    /// <summary>Wall seconds of the whole parallel part, of each of its jobs ("load tickets", "index ix_tickets_agent", "verify tickets", …) and of publishing.</summary>
    public IReadOnlyDictionary<string, double> PhaseSeconds { get; init; } = new Dictionary<string, double>();

    /// <summary>The copy of the SQLite file (<see cref="SqliteMigrationOptions.CopyPath"/>), null when none was asked for.</summary>
    public SqliteFileCopyResult? Copy { get; init; }

    /// <summary>How PostgreSQL's checksums were computed (OnServer or ReadBack), null when verification was off.</summary>
    public string? Verification { get; init; }

    public long TotalRows => Tables.Sum(t => t.Rows);
}

public sealed record AffinityViolation(string Table, string Column, string Row, string Problem)
{
    public override string ToString() => $"{Table}.{Column} {Row}: {Problem}";
}

/// <summary>Values that do not fit their column's declared type. Nothing was migrated; every example is listed.</summary>
public sealed class SqliteAffinityException(IReadOnlyList<AffinityViolation> violations, long total)
    : DataOperationException(
        $"{total} value(s) in the SQLite file do not fit their column's declared type (first: {violations[0]}): fix them in SQLite or change the declared type; nothing was migrated.")
{
    public IReadOnlyList<AffinityViolation> Violations { get; } = violations;
    public long Total { get; } = total;
}
