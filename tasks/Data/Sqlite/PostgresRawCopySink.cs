using System.Buffers.Binary;
using System.Globalization;
using Npgsql;

namespace TwisterLab.Cake.Data;

/// <summary>
/// Writes PostgreSQL's binary COPY format itself (https://www.postgresql.org/docs/current/sql-copy.html, "Binary Format")
/// into a 64 KB buffer and hands whole buffers to Npgsql's raw COPY stream. The per-value converter lookup of
/// NpgsqlBinaryImporter was the largest client cost of a load; these seven encodings are fixed and short.
/// The verification never looks at these bytes: <see cref="RowChecksum"/> hashes the converted values by its own
/// definition and PostgreSQL hashes what it stored, so an encoding mistake here cannot pass.
/// FREEZE (allowed because the table was created in this transaction) writes rows already frozen and all-visible, so
/// the index builds and the checksum that follow do not rewrite every page to set hint bits, and foreign keys can be
/// validated from the indexes alone.
/// </summary>
internal sealed class PostgresRawCopySink : IRowSink
{
    private static readonly byte[] Header = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];
    private static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1).Ticks;

    private readonly Stream _copy;
    private readonly short _columns;
    private byte[] _buffer = new byte[1 << 16];
    private int _length;
    private bool _completed;

    public PostgresRawCopySink(NpgsqlConnection connection, SqliteTable table, string? schema)
    {
        _columns = (short)table.Columns.Count;
        _copy = connection.BeginRawBinaryCopy(
            $"COPY {PostgresDdl.Name(schema, table.Name)} ({string.Join(", ", table.Columns.Select(c => Sql.Quote(c.Name)))}) FROM STDIN (FORMAT BINARY, FREEZE)");
        Header.CopyTo(Reserve(Header.Length));
    }

    public void StartRow() => BinaryPrimitives.WriteInt16BigEndian(Reserve(2), _columns);

    public void Write(in CellValue value, ReadOnlySpan<byte> bytes)
    {
        switch (value.Kind)
        {
            case CellKind.Null: BinaryPrimitives.WriteInt32BigEndian(Reserve(4), -1); break;
            case CellKind.Integer: Fixed(8); BinaryPrimitives.WriteInt64BigEndian(Reserve(8), value.Integer); break;
            case CellKind.Real: Fixed(8); BinaryPrimitives.WriteInt64BigEndian(Reserve(8), BitConverter.DoubleToInt64Bits(value.Real)); break;
            // text's binary form is its bytes in the client encoding (UTF-8); the server validates them.
            case CellKind.Text or CellKind.Bytes: Bytes(bytes); break;
            case CellKind.Boolean: Fixed(1); Reserve(1)[0] = value.Integer != 0 ? (byte)1 : (byte)0; break;
            // timestamp: microseconds since 2000-01-01; our ticks are already whole microseconds.
            case CellKind.Timestamp: Fixed(8); BinaryPrimitives.WriteInt64BigEndian(Reserve(8), (value.Integer - PostgresEpochTicks) / 10); break;
            case CellKind.Numeric: Numeric(value.Numeric); break;
        }
    }

    public long Complete()
    {
        BinaryPrimitives.WriteInt16BigEndian(Reserve(2), -1);
        Flush();
        _copy.Dispose(); // ends the COPY; a server-side error surfaces here
        _completed = true;
        return -1; // the raw stream reports no row count; the verification counts every stored row
    }

    public void Dispose()
    {
        if (_completed) return;
        // Abandoned mid-table: cancel the COPY so the transaction can roll back. Best effort only — after a server
        // error the stream is already closed, and an exception here would hide the error that brought us here.
        try
        {
            if (_copy is NpgsqlRawCopyStream raw) raw.Cancel();
            _copy.Dispose();
        }
        catch (Exception ex) when (ex is ObjectDisposedException or NpgsqlException or IOException or InvalidOperationException)
        {
        }
    }

    private void Fixed(int length) => BinaryPrimitives.WriteInt32BigEndian(Reserve(4), length);

    private void Bytes(ReadOnlySpan<byte> bytes)
    {
        Fixed(bytes.Length);
        if (bytes.Length > _buffer.Length / 2)
        {
            Flush();
            _copy.Write(bytes);
            return;
        }
        bytes.CopyTo(Reserve(bytes.Length));
    }

    /// <summary>
    /// numeric_send's layout: ndigits, weight, sign, dscale (int16 each) and base-10000 digits, most significant first.
    /// Built from the decimal's invariant text so the scale (1.50 vs 1.5) is carried as written.
    /// </summary>
    private void Numeric(decimal value)
    {
        var text = Math.Abs(value).ToString(CultureInfo.InvariantCulture);
        var point = text.IndexOf('.');
        var integer = point < 0 ? text : text[..point];
        var fraction = point < 0 ? "" : text[(point + 1)..];
        var integerPadded = integer.PadLeft((integer.Length + 3) / 4 * 4, '0');
        var fractionPadded = fraction.PadRight((fraction.Length + 3) / 4 * 4, '0');
        var digits = new List<short>();
        for (var i = 0; i < integerPadded.Length; i += 4) digits.Add(short.Parse(integerPadded.AsSpan(i, 4), CultureInfo.InvariantCulture));
        for (var i = 0; i < fractionPadded.Length; i += 4) digits.Add(short.Parse(fractionPadded.AsSpan(i, 4), CultureInfo.InvariantCulture));
        var weight = integerPadded.Length / 4 - 1;
        while (digits.Count > 0 && digits[0] == 0)
        {
            digits.RemoveAt(0);
            weight--;
        }
        while (digits.Count > 0 && digits[^1] == 0) digits.RemoveAt(digits.Count - 1);
        if (digits.Count == 0) weight = 0;

        Fixed(8 + 2 * digits.Count);
        var span = Reserve(8 + 2 * digits.Count);
        BinaryPrimitives.WriteInt16BigEndian(span, (short)digits.Count);
        BinaryPrimitives.WriteInt16BigEndian(span[2..], (short)weight);
        BinaryPrimitives.WriteInt16BigEndian(span[4..], value < 0 && digits.Count > 0 ? (short)0x4000 : (short)0);
        BinaryPrimitives.WriteInt16BigEndian(span[6..], (short)fraction.Length);
        for (var i = 0; i < digits.Count; i++) BinaryPrimitives.WriteInt16BigEndian(span[(8 + 2 * i)..], digits[i]);
    }

    private Span<byte> Reserve(int length)
    {
        if (_length + length > _buffer.Length)
        {
            Flush();
            if (length > _buffer.Length) _buffer = new byte[length];
        }
        var span = _buffer.AsSpan(_length, length);
        _length += length;
        return span;
    }

    private void Flush()
    {
        if (_length == 0) return;
        _copy.Write(_buffer, 0, _length);
        _length = 0;
    }
}
