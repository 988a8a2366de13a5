using Npgsql;
using NpgsqlTypes;

namespace TwisterLab.Cake.Data;

/// <summary>How the PostgreSQL side of a table's <see cref="RowChecksum"/> is computed.</summary>
internal enum ChecksumMethod
{
    /// <summary>The server hashes every stored row itself (<c>sum(hash_record_extended(…))</c>): nothing is sent back.</summary>
    OnServer,

    /// <summary>Every row is read back with binary COPY and hashed here: for servers whose hashes the client cannot reproduce.</summary>
    ReadBack,
}

/// <summary>
/// The PostgreSQL side of the verification: the <see cref="RowChecksum"/> of what a migrated table holds, computed from
/// the stored values, never from what we sent. <see cref="OnServer"/> is the fast path (PostgreSQL 14+ on a little-endian
/// server, checked on known values by <see cref="Choose"/>); <see cref="ReadBack"/> decodes the rows with Npgsql.
/// </summary>
internal static class PostgresTableChecksum
{
    public static string Compute(NpgsqlConnection connection, SqliteTable table, string? schema, ChecksumMethod method) =>
        method == ChecksumMethod.OnServer ? OnServer(connection, table, schema) : ReadBack(connection, table, schema);

    /// <summary>
    /// OnServer when the server computes, for one row holding a value of every type and NULL, the same hash as
    /// <see cref="RowChecksum"/>; ReadBack when it does not (a big-endian server) or cannot (before PostgreSQL 14).
    /// </summary>
    public static ChecksumMethod Choose(NpgsqlConnection connection)
    {
        var probe = new SqliteTable("probe", Probe.Select((p, i) => new SqliteColumn($"c{i}", "", false, null, p.Type)).ToList(), [], false, false, [], [], null);
        var expected = new RowChecksum();
        foreach (var (_, _, value, bytes) in Probe) expected.Add(value, bytes);
        expected.EndRow();
        var values = string.Join(", ", Probe.Select((p, i) => $"{p.Literal} AS c{i}"));
        try
        {
            using var command = new NpgsqlCommand(Aggregate(probe, $"(SELECT {values}) probe"), connection);
            return (string)command.ExecuteScalar()! == expected.Value ? ChecksumMethod.OnServer : ChecksumMethod.ReadBack;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedFunction)
        {
            return ChecksumMethod.ReadBack;
        }
    }

    /// <summary>The value of a column as the row hash sees it (see <see cref="RowChecksum"/> for why each form).</summary>
    internal static string RowExpression(SqliteColumn column)
    {
        var name = Sql.Quote(column.Name);
        return column.Target switch
        {
            PgColumnType.BigInt => $"int8send({name})",
            PgColumnType.Timestamp => $"timestamp_send({name})",
            PgColumnType.DoublePrecision => $"float8send({name})",
            PgColumnType.Numeric => $"trim_scale({name})::text COLLATE \"C\"",
            // A deterministic collation hashes the bytes; "C" makes sure of it whatever the column's collation.
            PgColumnType.Text => $"{name} COLLATE \"C\"",
            _ => name,
        };
    }

    /// <summary>The checksum of <paramref name="from"/>'s rows. OFFSET 0 keeps the planner from inlining h, which would hash every row twice.</summary>
    private static string Aggregate(SqliteTable table, string from) =>
        $"SELECT count(*)::text || ':' || coalesce(sum(hashint8extended(h, h)), 0)::text " +
        $"FROM (SELECT hash_record_extended(ROW({string.Join(", ", table.Columns.Select(RowExpression))}), 0) AS h FROM {from} OFFSET 0) row_hashes";

    private static string OnServer(NpgsqlConnection connection, SqliteTable table, string? schema)
    {
        using var command = new NpgsqlCommand(Aggregate(table, PostgresDdl.Name(schema, table.Name)), connection) { CommandTimeout = 0 };
        return (string)command.ExecuteScalar()!;
    }

    private static string ReadBack(NpgsqlConnection connection, SqliteTable table, string? schema)
    {
        var checksum = new RowChecksum();
        var columns = string.Join(", ", table.Columns.Select(c => Sql.Quote(c.Name)));
        using var export = connection.BeginBinaryExport($"COPY {PostgresDdl.Name(schema, table.Name)} ({columns}) TO STDOUT (FORMAT BINARY)");
        while (export.StartRow() != -1)
        {
            foreach (var column in table.Columns)
            {
                var (value, bytes) = Read(export, column.Target);
                checksum.Add(value, bytes);
            }
            checksum.EndRow();
        }
        return checksum.Value;
    }

    private static (CellValue, byte[]?) Read(NpgsqlBinaryExporter export, PgColumnType type)
    {
        if (export.IsNull)
        {
            export.Skip();
            return (CellValue.Null, null);
        }
        return type switch
        {
            PgColumnType.BigInt => (new CellValue(CellKind.Integer, export.Read<long>(NpgsqlDbType.Bigint)), null),
            PgColumnType.DoublePrecision => (new CellValue(CellKind.Real, Real: export.Read<double>(NpgsqlDbType.Double)), null),
            // Raw UTF-8 bytes of the text (same wire form as bytea), compared with the bytes SQLite held.
            PgColumnType.Text => (CellValue.Text, export.Read<byte[]>(NpgsqlDbType.Bytea)),
            PgColumnType.Bytea => (CellValue.Bytes, export.Read<byte[]>(NpgsqlDbType.Bytea)),
            PgColumnType.Numeric => (new CellValue(CellKind.Numeric, Reference: export.Read<decimal>(NpgsqlDbType.Numeric)), null),
            PgColumnType.Boolean => (new CellValue(CellKind.Boolean, export.Read<bool>(NpgsqlDbType.Boolean) ? 1 : 0), null),
            _ => (new CellValue(CellKind.Timestamp, export.Read<DateTime>(NpgsqlDbType.Timestamp).Ticks), null),
        };
    }

    /// <summary>One value of every type (and NULL), as SQL and as the client holds it; texts longer than 12 bytes exercise the hash's block loop.</summary>
    private static readonly (PgColumnType Type, string Literal, CellValue Value, byte[]? Bytes)[] Probe =
    [
        (PgColumnType.BigInt, "(-5000000000)::bigint", new CellValue(CellKind.Integer, -5_000_000_000), null),
        (PgColumnType.BigInt, "NULL::bigint", CellValue.Null, null),
        (PgColumnType.Text, "'héllo, wörld: a longer text'::text", CellValue.Text, "héllo, wörld: a longer text"u8.ToArray()),
        (PgColumnType.Bytea, "'\\x00ff102030405060708090aabbcc'::bytea", CellValue.Bytes, Convert.FromHexString("00ff102030405060708090aabbcc")),
        (PgColumnType.DoublePrecision, "'-0'::float8", new CellValue(CellKind.Real, Real: -0.0), null),
        (PgColumnType.DoublePrecision, "'0.1'::float8", new CellValue(CellKind.Real, Real: 0.1), null),
        (PgColumnType.Numeric, "1.50::numeric", new CellValue(CellKind.Numeric, Reference: 1.5m), null),
        (PgColumnType.Boolean, "true", new CellValue(CellKind.Boolean, 1), null),
        (PgColumnType.Boolean, "false", new CellValue(CellKind.Boolean, 0), null),
        (PgColumnType.Timestamp, "'1999-12-31 23:59:59.999999'::timestamp", new CellValue(CellKind.Timestamp, new DateTime(1999, 12, 31, 23, 59, 59).Ticks + 9_999_990), null),
    ];
}
