using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace TwisterLab.Cake.Data;

/// <summary>SQLite's storage classes (https://sqlite.org/c3ref/c_blob.html): what a value really is, whatever its column declares.</summary>
internal enum SqliteStorage
{
    Integer = 1,
    Real = 2,
    Text = 3,
    Blob = 4,
    Null = 5,
}

/// <summary>
/// Steps one SELECT with SQLite's C API directly, handing out text and blobs as spans over SQLite's own memory.
/// The ADO.NET reader boxed every value and allocated an array per text or blob: it cost 4.6 s of CPU to read the
/// benchmark's 3M rows, this reader 1.0 s. The statement is prepared through Microsoft.Data.Sqlite's connection handle,
/// so opening, read-only mode and error translation stay theirs. Spans are valid until the next <see cref="Step"/>.
/// </summary>
internal sealed unsafe class SqliteRowReader : IDisposable
{
    private const int Row = 100; // SQLITE_ROW
    private const int Done = 101; // SQLITE_DONE

    private readonly SqliteConnection _connection;
    private readonly sqlite3_stmt _statement;
    private readonly IntPtr _handle;

    public SqliteRowReader(SqliteConnection connection, string sql)
    {
        _connection = connection;
        var rc = raw.sqlite3_prepare_v2(connection.Handle, sql, out _statement);
        if (rc != raw.SQLITE_OK) throw Error(rc);
        _handle = _statement.DangerousGetHandle();
    }

    /// <summary>Moves to the next row; false at the end. A corrupt page surfaces here as a <see cref="SqliteException"/>.</summary>
    public bool Step()
    {
        var rc = Native.sqlite3_step(_handle);
        if (rc == Row) return true;
        if (rc == Done) return false;
        throw Error(rc);
    }

    public SqliteStorage Storage(int column) => (SqliteStorage)Native.sqlite3_column_type(_handle, column);

    public long Int64(int column) => Native.sqlite3_column_int64(_handle, column);

    public double Double(int column) => Native.sqlite3_column_double(_handle, column);

    /// <summary>A text value's stored UTF-8 bytes (never converted: the file is UTF-8) or a blob's bytes.</summary>
    public ReadOnlySpan<byte> Bytes(int column)
    {
        // sqlite3_column_blob first, then _bytes: the order SQLite documents for a pointer that stays valid.
        var data = Native.sqlite3_column_blob(_handle, column);
        var length = Native.sqlite3_column_bytes(_handle, column);
        return length == 0 ? ReadOnlySpan<byte>.Empty : new ReadOnlySpan<byte>((void*)data, length);
    }

    public void Dispose() => _statement.Dispose();

    private SqliteException Error(int rc) => new(raw.sqlite3_errmsg(_connection.Handle).utf8_to_string(), rc);

    /// <summary>
    /// The same native library SQLitePCLRaw's e_sqlite3 provider binds. The column accessors only read the current
    /// row's memory, so they skip the GC transition (half their cost); step may read the file and keeps it.
    /// </summary>
    private static class Native
    {
        private const string Library = "e_sqlite3";

        [DllImport(Library)]
        public static extern int sqlite3_step(IntPtr statement);

        [DllImport(Library), SuppressGCTransition]
        public static extern int sqlite3_column_type(IntPtr statement, int column);

        [DllImport(Library), SuppressGCTransition]
        public static extern long sqlite3_column_int64(IntPtr statement, int column);

        [DllImport(Library), SuppressGCTransition]
        public static extern double sqlite3_column_double(IntPtr statement, int column);

        [DllImport(Library), SuppressGCTransition]
        public static extern IntPtr sqlite3_column_blob(IntPtr statement, int column);

        [DllImport(Library), SuppressGCTransition]
        public static extern int sqlite3_column_bytes(IntPtr statement, int column);
    }
}
