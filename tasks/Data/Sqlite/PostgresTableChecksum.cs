using Npgsql;
using NpgsqlTypes;

namespace TwisterLab.Cake.Data;

/// <summary>Reads a migrated table back with binary COPY and computes the same <see cref="RowChecksum"/> as the load did.</summary>
internal static class PostgresTableChecksum
{
    public static string Compute(NpgsqlConnection connection, SqliteTable table, string? schema)
    {
        var checksum = new RowChecksum();
        var columns = string.Join(", ", table.Columns.Select(c => Sql.Quote(c.Name)));
        using var export = connection.BeginBinaryExport($"COPY {PostgresDdl.Name(schema, table.Name)} ({columns}) TO STDOUT (FORMAT BINARY)");
        while (export.StartRow() != -1)
        {
            foreach (var column in table.Columns) checksum.Add(Read(export, column.Target));
            checksum.EndRow();
        }
        return checksum.Value;
    }

    private static CellValue Read(NpgsqlBinaryExporter export, PgColumnType type)
    {
        if (export.IsNull)
        {
            export.Skip();
            return CellValue.Null;
        }
        return type switch
        {
            PgColumnType.BigInt => new CellValue(CellKind.Integer, export.Read<long>(NpgsqlDbType.Bigint)),
            PgColumnType.DoublePrecision => new CellValue(CellKind.Real, Real: export.Read<double>(NpgsqlDbType.Double)),
            // Raw UTF-8 bytes of the text (same wire form as bytea), compared with the bytes SQLite held.
            PgColumnType.Text => new CellValue(CellKind.Text, Reference: export.Read<byte[]>(NpgsqlDbType.Bytea)),
            PgColumnType.Bytea => new CellValue(CellKind.Bytes, Reference: export.Read<byte[]>(NpgsqlDbType.Bytea)),
            PgColumnType.Numeric => new CellValue(CellKind.Numeric, Reference: export.Read<decimal>(NpgsqlDbType.Numeric)),
            PgColumnType.Boolean => new CellValue(CellKind.Boolean, export.Read<bool>(NpgsqlDbType.Boolean) ? 1 : 0),
            _ => new CellValue(CellKind.Timestamp, export.Read<DateTime>(NpgsqlDbType.Timestamp).Ticks),
        };
    }
}
