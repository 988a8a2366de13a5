using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Text;

namespace TwisterLab.Cake.Data;

/// <summary>
/// An order-independent content checksum of a table: the wrapping sum of one 128-bit XxHash per row, over a canonical
/// encoding of the converted values (doubles by their bits, so a changed last bit shows). Order-independent, so the
/// PostgreSQL side is read with a plain sequential scan and no collation has to agree with SQLite's byte order.
/// </summary>
internal sealed class RowChecksum
{
    private readonly ArrayBufferWriter<byte> _row = new(256);
    private UInt128 _sum;

    public long Rows { get; private set; }

    public string Value => $"{Rows}:{_sum:x32}";

    public void Add(in CellValue cell)
    {
        var span = _row.GetSpan(16);
        span[0] = (byte)cell.Kind;
        switch (cell.Kind)
        {
            case CellKind.Null:
                _row.Advance(1);
                break;
            case CellKind.Integer or CellKind.Boolean or CellKind.Timestamp:
                BinaryPrimitives.WriteInt64LittleEndian(span[1..], cell.Integer);
                _row.Advance(9);
                break;
            case CellKind.Real:
                BinaryPrimitives.WriteInt64LittleEndian(span[1..], BitConverter.DoubleToInt64Bits(cell.Real));
                _row.Advance(9);
                break;
            case CellKind.Text:
                cell.TextUtf8.CopyTo(Reserve(cell.TextUtf8.Length));
                break;
            case CellKind.Bytes:
                cell.Bytes.CopyTo(Reserve(cell.Bytes.Length));
                break;
            case CellKind.Numeric:
                var digits = Normalize(cell.Numeric);
                Encoding.ASCII.GetBytes(digits, Reserve(digits.Length));
                break;
        }
    }

    /// <summary>Writes the kind tag (already in place) and a length prefix, advances past both and the payload, returns the payload span.</summary>
    private Span<byte> Reserve(int length)
    {
        var span = _row.GetSpan(5 + length);
        BinaryPrimitives.WriteInt32LittleEndian(span[1..], length);
        _row.Advance(5 + length);
        return span.Slice(5, length);
    }

    public void EndRow()
    {
        _sum += XxHash128.HashToUInt128(_row.WrittenSpan);
        _row.ResetWrittenCount();
        Rows++;
    }

    /// <summary>1.50 and 1.5 are the same number; numeric(10,2) hands back the first for what we wrote as the second.</summary>
    internal static string Normalize(decimal value)
    {
        var text = value.ToString(CultureInfo.InvariantCulture);
        if (text.Contains('.')) text = text.TrimEnd('0').TrimEnd('.');
        return text == "-0" ? "0" : text;
    }
}
