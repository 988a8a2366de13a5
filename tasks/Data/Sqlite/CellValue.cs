namespace TwisterLab.Cake.Data;

internal enum CellKind : byte
{
    Null,
    Integer,
    Real,
    Text,
    Bytes,
    Numeric,
    Boolean,
    Timestamp,
}

/// <summary>One converted value, unboxed for the hot types (integer, real, boolean and timestamp ticks live in <see cref="Integer"/>/<see cref="Real"/>).</summary>
internal readonly record struct CellValue(CellKind Kind, long Integer = 0, double Real = 0, object? Reference = null)
{
    public static readonly CellValue Null = new(CellKind.Null);
    /// <summary>Text as UTF-8 bytes: SQLite stores UTF-8 and PostgreSQL receives UTF-8, so the text is never decoded on the way.</summary>
    public byte[] TextUtf8 => (byte[])Reference!;
    public byte[] Bytes => (byte[])Reference!;
    public decimal Numeric => (decimal)Reference!;
    public DateTime Timestamp => new(Integer, DateTimeKind.Unspecified);
}
