using Microsoft.Data.Sqlite;

namespace TwisterLab.Cake.Tests;

/// <summary>A small SQLite file the input checks read (1 KiB pages, 2,000 rows), and a copy of it with damaged pages.</summary>
internal static class SmallSqlite
{
    public static void Write(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA page_size=1024; CREATE TABLE tickets (id INTEGER PRIMARY KEY, title TEXT); " +
                              "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO tickets SELECT i, printf('ticket %d of many', i) FROM n;";
        command.ExecuteNonQuery();
    }

    /// <summary>The same bytes with garbage over the middle pages: the header is fine, the b-tree is not.</summary>
    public static byte[] Damaged(byte[] whole)
    {
        var bytes = (byte[])whole.Clone();
        Array.Fill(bytes, (byte)0x5A, 3 * 1024, 8 * 1024);
        return bytes;
    }
}
