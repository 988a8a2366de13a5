namespace TwisterLab.Cake.Data;

/// <summary>
/// A table's content checksum, defined so PostgreSQL can compute it over what it stored without sending the table back
/// (<see cref="PostgresTableChecksum"/>). Per row: hash_record_extended(ROW(values), 0) — each value's 64-bit hash
/// (<see cref="PostgresHash"/>), folded as h = h·31 + value hash, NULL as 0 — then hashint8extended(h, h). Per table: the
/// exact sum of those row hashes as signed 64-bit numbers, what <c>sum(bigint)</c> returns; a sum does not depend on row
/// order, so neither side sorts. Why each piece:
/// <list type="bullet">
/// <item>8-byte values are hashed by their send bytes (int8send, timestamp_send, float8send): int8's own hash folds 64
/// bits to 32, float8's makes -0 equal 0.</item>
/// <item>The fold is linear, so summed as is the table sum would split into per-column sums and two rows swapping a value
/// would go unseen; the last hash, seeded with the row hash itself, ties every row's values together.</item>
/// <item>Numerics are hashed as their trailing-zero-free text (trim_scale), text by its bytes under "C".</item>
/// </list>
/// </summary>
internal sealed class RowChecksum
{
    private ulong _row;
    private Int128 _sum;

    public long Rows { get; private set; }

    /// <summary>"rows:sum", the same text the server's <c>count(*) || ':' || sum(…)</c> gives.</summary>
    public string Value => $"{Rows}:{_sum}";

    /// <param name="bytes">The UTF-8 text or the blob, for <see cref="CellKind.Text"/> and <see cref="CellKind.Bytes"/>.</param>
    public void Add(in CellValue cell, ReadOnlySpan<byte> bytes) => _row = unchecked(_row * 31 + Hash(cell, bytes));

    public void EndRow()
    {
        _sum += (long)PostgresHash.Int64((long)_row, _row);
        _row = 0;
        Rows++;
    }

    internal static ulong Hash(in CellValue cell, ReadOnlySpan<byte> bytes) => cell.Kind switch
    {
        CellKind.Null => 0,
        CellKind.Integer => PostgresHash.BigEndian(cell.Integer),
        CellKind.Timestamp => PostgresHash.BigEndian(PostgresTime.Microseconds(cell.Integer)),
        CellKind.Boolean => PostgresHash.Boolean(cell.Integer != 0),
        CellKind.Real => PostgresHash.BigEndian(BitConverter.DoubleToInt64Bits(cell.Real)),
        CellKind.Numeric => PostgresHash.Bytes(System.Text.Encoding.ASCII.GetBytes(Normalize(cell.Numeric))),
        _ => PostgresHash.Bytes(bytes),
    };

    /// <summary>1.50 and 1.5 are the same number (trim_scale's text); numeric(10,2) hands back the first for what we wrote as the second.</summary>
    internal static string Normalize(decimal value)
    {
        var text = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (text.Contains('.')) text = text.TrimEnd('0').TrimEnd('.');
        return text == "-0" ? "0" : text;
    }
}

/// <summary>PostgreSQL's timestamp: microseconds since 2000-01-01 (our values are .NET ticks, already whole microseconds).</summary>
internal static class PostgresTime
{
    private static readonly long EpochTicks = new DateTime(2000, 1, 1).Ticks;

    public static long Microseconds(long ticks) => (ticks - EpochTicks) / 10;
}
