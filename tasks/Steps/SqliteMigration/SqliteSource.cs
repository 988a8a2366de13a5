using Microsoft.Data.Sqlite;
using TwisterLab.Cake.Context;

namespace TwisterLab.Cake.Steps.SqliteMigration;

/// <summary>The --sqlite-path database, read-only: its tables and their row counts.</summary>
public static class SqliteSource
{
    public static IEnumerable<string> Problems(DeployContext context) =>
        context.Settings.SqlitePath is null ? ["add --sqlite-path=<file.db>, the SQLite database to migrate"] : [];

    public static IReadOnlyDictionary<string, long> TableRows(DeployContext context)
    {
        using var connection = new SqliteConnection($"Data Source={context.Settings.SqlitePath};Mode=ReadOnly;Pooling=False");
        connection.Open();
        var tables = new List<string>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var rows = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            using var count = connection.CreateCommand();
            count.CommandText = $"SELECT count(*) FROM \"{table.Replace("\"", "\"\"")}\"";
            rows[table] = (long)count.ExecuteScalar()!;
        }

        return rows;
    }
}
