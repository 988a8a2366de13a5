using System.Globalization;
using System.Text;

namespace TwisterLab.Cake.Data;

/// <summary>Where converted rows go: PostgreSQL binary COPY (<see cref="PostgresRawCopySink"/>) or a SQL export file.</summary>
internal interface IRowSink : IDisposable
{
    void StartRow();
    /// <param name="bytes">The UTF-8 text or the blob, for <see cref="CellKind.Text"/> and <see cref="CellKind.Bytes"/>; valid only during the call.</param>
    void Write(in CellValue value, ReadOnlySpan<byte> bytes);
    /// <summary>Finishes the table's COPY and returns the rows the target acknowledged (-1 when it cannot tell).</summary>
    long Complete();
}

/// <summary>Text COPY blocks in a .sql file, for <c>psql --single-transaction -f</c>.</summary>
internal sealed class SqlExportSink : IRowSink
{
    private readonly TextWriter _writer;
    private readonly StringBuilder _line = new();
    private bool _firstInRow;

    public SqlExportSink(TextWriter writer, SqliteTable table)
    {
        _writer = writer;
        _writer.Write($"COPY {Sql.Quote(table.Name)} ({string.Join(", ", table.Columns.Select(c => Sql.Quote(c.Name)))}) FROM stdin;\n");
    }

    public void StartRow()
    {
        if (_line.Length > 0) Flush();
        _firstInRow = true;
    }

    public void Write(in CellValue value, ReadOnlySpan<byte> bytes)
    {
        if (!_firstInRow) _line.Append('\t');
        _firstInRow = false;
        switch (value.Kind)
        {
            case CellKind.Null: _line.Append("\\N"); break;
            case CellKind.Integer: _line.Append(value.Integer.ToString(CultureInfo.InvariantCulture)); break;
            // "R" is the shortest text that parses back to the same bits; PostgreSQL 12+ parses it exactly.
            case CellKind.Real: _line.Append(Real(value.Real)); break;
            case CellKind.Text: AppendEscaped(Encoding.UTF8.GetString(bytes)); break;
            case CellKind.Bytes: _line.Append("\\\\x").Append(Convert.ToHexStringLower(bytes)); break;
            case CellKind.Numeric: _line.Append(value.Numeric.ToString(CultureInfo.InvariantCulture)); break;
            case CellKind.Boolean: _line.Append(value.Integer != 0 ? 't' : 'f'); break;
            case CellKind.Timestamp: _line.Append(value.Timestamp.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)); break;
        }
    }

    public long Complete()
    {
        if (_line.Length > 0) Flush();
        _writer.Write("\\.\n\n");
        return -1;
    }

    public void Dispose()
    {
    }

    private void Flush()
    {
        _line.Append('\n');
        _writer.Write(_line);
        _line.Clear();
    }

    private static string Real(double value) => double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "Infinity"
        : double.IsNegativeInfinity(value) ? "-Infinity"
        : value.ToString("R", CultureInfo.InvariantCulture);

    // COPY text format: backslash escapes for the delimiter, line ends and the backslash itself.
    private void AppendEscaped(string text)
    {
        foreach (var c in text)
        {
            switch (c)
            {
                case '\\': _line.Append("\\\\"); break;
                case '\t': _line.Append("\\t"); break;
                case '\n': _line.Append("\\n"); break;
                case '\r': _line.Append("\\r"); break;
                default: _line.Append(c); break;
            }
        }
    }
}
