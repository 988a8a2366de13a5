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

/// <summary>
/// One converted value, unboxed for the hot types (integer, real, boolean and timestamp ticks live in
/// <see cref="Integer"/>/<see cref="Real"/>). Text and blobs travel beside it as a span over SQLite's memory, never copied
/// into an array of their own: SQLite stores UTF-8 and PostgreSQL receives UTF-8, so text is never decoded on the way.
/// </summary>
internal readonly record struct CellValue(CellKind Kind, long Integer = 0, double Real = 0, object? Reference = null)
{
    public static readonly CellValue Null = new(CellKind.Null);
    public static readonly CellValue Text = new(CellKind.Text);
    public static readonly CellValue Bytes = new(CellKind.Bytes);
    public decimal Numeric => (decimal)Reference!;
    public DateTime Timestamp => new(Integer, DateTimeKind.Unspecified);
}
