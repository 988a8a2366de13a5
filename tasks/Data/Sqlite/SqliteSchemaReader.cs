using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace TwisterLab.Cake.Data;

/// <summary>Reads a SQLite file's tables, keys, foreign keys and indexes through its PRAGMAs (no SQL parsing beyond two flags).</summary>
public static partial class SqliteSchemaReader
{
    /// <summary>Opens <paramref name="path"/> read-only; a missing, non-SQLite or unreadable file is a <see cref="DataOperationException"/>.</summary>
    public static SqliteConnection Open(string path)
    {
        if (!File.Exists(path))
            throw new DataOperationException($"SQLite file {path} does not exist: check the path.");
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ConnectionString);
        try
        {
            connection.Open();
            using var probe = connection.CreateCommand();
            probe.CommandText = "SELECT count(*) FROM sqlite_master";
            probe.ExecuteScalar();
            probe.CommandText = "PRAGMA encoding";
            var encoding = (string)probe.ExecuteScalar()!;
            if (encoding != "UTF-8")
                throw new DataOperationException($"SQLite file {path} stores text as {encoding}: convert it first (sqlite3 {Path.GetFileName(path)} \".dump\" | sqlite3 utf8.db), then migrate utf8.db.");
            return connection;
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw NotReadable(path, ex);
        }
        catch (DataOperationException)
        {
            connection.Dispose();
            throw;
        }
    }

    public static DataOperationException NotReadable(string path, SqliteException ex) => ex.SqliteErrorCode switch
    {
        26 => new DataOperationException($"{path} is not a SQLite database (or is encrypted): check that you passed the right file.", ex),
        11 => new DataOperationException($"SQLite file {path} is corrupt ({ex.Message.Split('\n')[0]}): restore it from a copy or recover it with `sqlite3 {Path.GetFileName(path)} .recover`.", ex),
        _ => new DataOperationException($"SQLite file {path} cannot be read ({ex.Message.Split('\n')[0]}): check the file and its permissions.", ex),
    };

    public static IReadOnlyList<SqliteTable> Read(SqliteConnection connection, string path)
    {
        try
        {
            var sequences = ReadSequences(connection);
            return ReadTableSql(connection).Select(t => ReadTable(connection, t.Name, t.Sql, sequences)).ToList();
        }
        catch (SqliteException ex)
        {
            throw NotReadable(path, ex);
        }
    }

    private static List<(string Name, string Sql)> ReadTableSql(SqliteConnection connection) =>
        Query(connection, "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid",
            r => (r.GetString(0), r.IsDBNull(1) ? "" : r.GetString(1)));

    private static Dictionary<string, long> ReadSequences(SqliteConnection connection)
    {
        var hasSequenceTable = Query(connection, "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'", r => 1).Count > 0;
        return hasSequenceTable ? Query(connection, "SELECT name, seq FROM sqlite_sequence", r => (r.GetString(0), r.GetInt64(1))).ToDictionary(x => x.Item1, x => x.Item2) : [];
    }

    private static SqliteTable ReadTable(SqliteConnection connection, string name, string sql, Dictionary<string, long> sequences)
    {
        var quoted = QuoteSqlite(name);
        var columns = Query(connection, $"PRAGMA table_info({quoted})", r => (
            Column: new SqliteColumn(r.GetString(1), r.IsDBNull(2) ? "" : r.GetString(2), r.GetInt64(3) != 0, r.IsDBNull(4) ? null : r.GetString(4), SqliteTypeMapping.Map(r.IsDBNull(2) ? "" : r.GetString(2))),
            PkOrder: r.GetInt64(5)));
        var primaryKey = columns.Where(c => c.PkOrder > 0).OrderBy(c => c.PkOrder).Select(c => c.Column.Name).ToList();
        return new SqliteTable(name, columns.Select(c => c.Column).ToList(), primaryKey,
            AutoIncrement: AutoIncrementPattern().IsMatch(sql),
            WithoutRowId: WithoutRowIdPattern().IsMatch(sql),
            ReadForeignKeys(connection, quoted),
            ReadIndexes(connection, quoted),
            sequences.TryGetValue(name, out var seq) ? seq : null);
    }

    private static List<SqliteForeignKey> ReadForeignKeys(SqliteConnection connection, string quotedTable)
    {
        var rows = Query(connection, $"PRAGMA foreign_key_list({quotedTable})", r => (
            Id: r.GetInt64(0), Seq: r.GetInt64(1), Table: r.GetString(2), From: r.GetString(3), To: r.IsDBNull(4) ? null : r.GetString(4),
            OnUpdate: r.GetString(5), OnDelete: r.GetString(6)));
        return rows.GroupBy(r => r.Id).Select(g =>
        {
            var ordered = g.OrderBy(r => r.Seq).ToList();
            return new SqliteForeignKey(ordered.Select(r => r.From).ToList(), ordered[0].Table,
                ordered.Select(r => r.To).OfType<string>().ToList(), ordered[0].OnDelete, ordered[0].OnUpdate);
        }).ToList();
    }

    private static List<SqliteIndex> ReadIndexes(SqliteConnection connection, string quotedTable)
    {
        var list = Query(connection, $"PRAGMA index_list({quotedTable})", r => (Name: r.GetString(1), Unique: r.GetInt64(2) != 0, Origin: r.GetString(3), Partial: r.GetInt64(4) != 0));
        var indexes = new List<SqliteIndex>();
        foreach (var index in list.Where(i => i.Origin != "pk"))
        {
            // Expression columns have no name (cid -2); they cannot be expressed portably and are reported instead.
            var columns = Query(connection, $"PRAGMA index_info({QuoteSqlite(index.Name)})", r => r.IsDBNull(2) ? null : r.GetString(2));
            string? where = null;
            if (index.Partial)
            {
                var sql = Query(connection, "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = $n", r => r.GetString(0), ("$n", index.Name)).FirstOrDefault() ?? "";
                var at = WherePattern().Match(sql);
                where = at.Success ? sql[(at.Index + at.Length)..].Trim() : "";
            }
            indexes.Add(new SqliteIndex(index.Name, columns.Select(c => c ?? "").ToList(), index.Unique, index.Origin == "u", where));
        }
        return indexes;
    }

    internal static string QuoteSqlite(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    private static List<T> Query<T>(SqliteConnection connection, string sql, Func<SqliteDataReader, T> map, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (n, v) in parameters) command.Parameters.AddWithValue(n, v);
        using var reader = command.ExecuteReader();
        var result = new List<T>();
        while (reader.Read()) result.Add(map(reader));
        return result;
    }

    [GeneratedRegex(@"\bAUTOINCREMENT\b", RegexOptions.IgnoreCase)]
    private static partial Regex AutoIncrementPattern();

    [GeneratedRegex(@"\)\s*WITHOUT\s+ROWID\s*;?\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex WithoutRowIdPattern();

    [GeneratedRegex(@"\bWHERE\b", RegexOptions.IgnoreCase)]
    private static partial Regex WherePattern();
}
