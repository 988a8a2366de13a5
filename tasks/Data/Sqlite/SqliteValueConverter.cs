using System.Globalization;
using System.Text.Unicode;
using System.Text;

namespace TwisterLab.Cake.Data;

/// <summary>
/// Converts one SQLite value (whatever storage class it really has: SQLite's types are per value, not per column)
/// into the column's PostgreSQL type, or explains why it cannot without losing data. Nothing is coerced silently:
/// text in an INTEGER column, a fraction in a BOOLEAN, an unparseable date are all reported as affinity violations.
/// </summary>
internal static class SqliteValueConverter
{
    private static readonly DateTime UnixEpoch = DateTime.UnixEpoch;

    public static bool TryConvert(SqliteRowReader reader, int ordinal, PgColumnType type, out CellValue value, out ReadOnlySpan<byte> bytes, out string? problem)
    {
        problem = null;
        bytes = default;
        var storage = reader.Storage(ordinal);
        if (storage == SqliteStorage.Null)
        {
            value = CellValue.Null;
            return true;
        }
        if (storage is SqliteStorage.Text or SqliteStorage.Blob) bytes = reader.Bytes(ordinal);
        value = (type, storage) switch
        {
            (PgColumnType.BigInt, SqliteStorage.Integer) => new CellValue(CellKind.Integer, reader.Int64(ordinal)),
            (PgColumnType.DoublePrecision, SqliteStorage.Real) => new CellValue(CellKind.Real, Real: reader.Double(ordinal)),
            // REAL affinity stores integral values as integers on disk; exact up to 2^53.
            (PgColumnType.DoublePrecision, SqliteStorage.Integer) when Math.Abs(reader.Int64(ordinal)) <= 1L << 53 => new CellValue(CellKind.Real, Real: reader.Int64(ordinal)),
            (PgColumnType.Text, SqliteStorage.Text) => IsPostgresText(bytes) ? CellValue.Text : default,
            (PgColumnType.Bytea, SqliteStorage.Blob) => CellValue.Bytes,
            (PgColumnType.Numeric, SqliteStorage.Integer) => new CellValue(CellKind.Numeric, Reference: (decimal)reader.Int64(ordinal)),
            (PgColumnType.Numeric, SqliteStorage.Real) => NumericValue(reader.Double(ordinal)),
            (PgColumnType.Boolean, SqliteStorage.Integer) when reader.Int64(ordinal) is 0 or 1 => new CellValue(CellKind.Boolean, reader.Int64(ordinal)),
            (PgColumnType.Timestamp, SqliteStorage.Text) => TimestampFromText(bytes),
            (PgColumnType.Timestamp, SqliteStorage.Real) => TimestampFromJulianDay(reader.Double(ordinal)),
            (PgColumnType.Timestamp, SqliteStorage.Integer) => TimestampFromUnixSeconds(reader.Int64(ordinal)),
            _ => default,
        };
        if (value.Kind != CellKind.Null) return true;
        problem = Describe(reader, ordinal, storage, type);
        return false;
    }

    /// <summary>
    /// The stored bytes go as they are (databases are UTF-8; <see cref="SqliteSchemaReader.Open"/> refuses UTF-16 ones).
    /// SQLite never validates text, so invalid UTF-8 — which a string decode would silently turn into U+FFFD — and NUL,
    /// which PostgreSQL text cannot hold, are reported instead.
    /// </summary>
    private static bool IsPostgresText(ReadOnlySpan<byte> utf8) => utf8.IndexOf((byte)0) < 0 && Utf8.IsValid(utf8);

    private static CellValue NumericValue(double real)
    {
        // The shortest round-trip text is the exact value SQLite holds; decimal keeps it digit for digit.
        var text = real.ToString("R", CultureInfo.InvariantCulture);
        return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && (double)number == real
            ? new CellValue(CellKind.Numeric, Reference: number)
            : default;
    }

    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-ddTHH:mm", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ss.FFFFFFF",
    ];

    private static readonly string[] TimestampWithZoneFormats =
    [
        "yyyy-MM-dd HH:mmzzz", "yyyy-MM-dd HH:mm:sszzz", "yyyy-MM-dd HH:mm:ss.FFFFFFFzzz",
        "yyyy-MM-ddTHH:mmzzz", "yyyy-MM-ddTHH:mm:sszzz", "yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz",
        "yyyy-MM-dd HH:mm:ssZ", "yyyy-MM-dd HH:mm:ss.FFFFFFFZ", "yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM-ddTHH:mm:ss.FFFFFFFZ",
    ];

    private static CellValue TimestampFromText(ReadOnlySpan<byte> utf8)
    {
        if (TryParseCommonTimestamp(utf8, out var ticks)) return Timestamp(ticks);
        if (!Utf8.IsValid(utf8)) return default;
        var text = Encoding.UTF8.GetString(utf8);
        if (DateTime.TryParseExact(text, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local))
            return Timestamp(local.Ticks);
        // Values with an offset are stored as their UTC instant in the zone-less timestamp column.
        return DateTimeOffset.TryParseExact(text, TimestampWithZoneFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var zoned)
            ? Timestamp(zoned.UtcDateTime.Ticks)
            : default;
    }

    /// <summary>
    /// The shape SQLite's datetime() and Python's str(datetime) write, "yyyy-MM-dd HH:mm:ss[.f…]", parsed by hand:
    /// DateTime.TryParseExact with a format list was the largest cost of loading a timestamp-heavy table.
    /// Anything else (a 'T', an offset, a date only) falls back to the exact formats.
    /// </summary>
    private static bool TryParseCommonTimestamp(ReadOnlySpan<byte> text, out long ticks)
    {
        ticks = 0;
        if (text.Length < 19 || text[4] != (byte)'-' || text[7] != (byte)'-' || text[10] != (byte)' ' || text[13] != (byte)':' || text[16] != (byte)':') return false;
        if (!TryDigits(text, 0, 4, out var year) || !TryDigits(text, 5, 2, out var month) || !TryDigits(text, 8, 2, out var day)
            || !TryDigits(text, 11, 2, out var hour) || !TryDigits(text, 14, 2, out var minute) || !TryDigits(text, 17, 2, out var second)) return false;
        long fraction = 0;
        if (text.Length > 19)
        {
            if (text[19] != (byte)'.' || text.Length > 27 || text.Length == 20 || !TryDigits(text, 20, text.Length - 20, out var digits)) return false;
            fraction = digits;
            for (var i = text.Length - 20; i < 7; i++) fraction *= 10;
        }
        if (month is < 1 or > 12 || day < 1 || year < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return false;
        ticks = new DateTime(year, month, day, hour, minute, second).Ticks + fraction;
        return true;
    }

    private static bool TryDigits(ReadOnlySpan<byte> text, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var digit = text[i] - (byte)'0';
            if ((uint)digit > 9) return false;
            value = value * 10 + digit;
        }
        return true;
    }

    // SQLite's julianday(): days since noon UTC, 24 November 4714 BC (proleptic Gregorian); 2440587.5 is the Unix epoch.
    private static CellValue TimestampFromJulianDay(double julianDay)
    {
        var ticks = (julianDay - 2440587.5) * TimeSpan.TicksPerDay + UnixEpoch.Ticks;
        return double.IsFinite(ticks) && ticks >= 0 && ticks < DateTime.MaxValue.Ticks ? Timestamp((long)Math.Round(ticks)) : default;
    }

    private static CellValue TimestampFromUnixSeconds(long seconds)
    {
        const long epochSeconds = 62135596800; // 0001-01-01 to 1970-01-01
        const long maxSeconds = 253402300799; // 9999-12-31T23:59:59 since 0001-01-01
        var fromYearOne = seconds + epochSeconds;
        return seconds > -epochSeconds - 1 && fromYearOne <= maxSeconds ? Timestamp(fromYearOne * TimeSpan.TicksPerSecond) : default;
    }

    // PostgreSQL keeps microseconds; rounding here makes what we hash equal to what the server stores.
    private static CellValue Timestamp(long ticks)
    {
        var rounded = (ticks + 5) / 10 * 10;
        return rounded < DateTime.MaxValue.Ticks ? new CellValue(CellKind.Timestamp, rounded) : default;
    }

    private static string Describe(SqliteRowReader reader, int ordinal, SqliteStorage storage, PgColumnType type)
    {
        var shown = storage switch
        {
            SqliteStorage.Blob => $"{reader.Bytes(ordinal).Length} bytes",
            SqliteStorage.Real => reader.Double(ordinal).ToString("R", CultureInfo.InvariantCulture),
            SqliteStorage.Integer => Shorten(reader.Int64(ordinal).ToString(CultureInfo.InvariantCulture)),
            _ => Shorten(Encoding.UTF8.GetString(reader.Bytes(ordinal))),
        };
        return $"{storage.ToString().ToLowerInvariant()} {shown} cannot become {SqliteTypeMapping.SqlName(type, "")}";
    }

    private static string Shorten(string text)
    {
        var clean = text.Replace('\0', '␀').Replace('\n', ' ');
        return clean.Length <= 40 ? $"'{clean}'" : $"'{clean[..40]}…'";
    }
}
