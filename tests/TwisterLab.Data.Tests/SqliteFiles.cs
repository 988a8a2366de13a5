using Microsoft.Data.Sqlite;

namespace TwisterLab.Data.Tests;

internal static class SqliteFiles
{
    /// <summary>A TwisterLab-like dev database with every awkward case the migrator must keep intact.</summary>
    public const string Sample = """
        CREATE TABLE agents (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(100) NOT NULL UNIQUE, active BOOLEAN NOT NULL DEFAULT 1,
                             created_at DATETIME DEFAULT CURRENT_TIMESTAMP, score REAL, budget DECIMAL(10,2));
        CREATE TABLE tickets (id INTEGER PRIMARY KEY, agent_id INTEGER REFERENCES agents(id) ON DELETE CASCADE, body TEXT,
                              attachment BLOB, opened_at TIMESTAMP, status TEXT DEFAULT 'open');
        CREATE INDEX ix_tickets_agent ON tickets (agent_id);
        CREATE INDEX ix_tickets_open ON tickets (status) WHERE status = 'open';
        CREATE TABLE "User" ("order" INTEGER, "Select" TEXT, "MixedCase" TEXT, PRIMARY KEY ("order", "Select")) WITHOUT ROWID;
        CREATE TABLE events (ts REAL, kind TEXT, payload BLOB);
        INSERT INTO agents (name, active, created_at, score, budget) VALUES
          ('alpha', 1, '2025-12-10 08:30:00', 0.1, 12.50),
          ('beta', 0, '2025-12-10T08:30:00.123456', 1e308, 3),
          ('gamma', 1, NULL, -0.0, NULL),
          ('δέλτα 😀', 1, '2025-12-10 08:30:00+02:00', 5e-324, 0.07);
        DELETE FROM agents WHERE name = 'gamma';
        INSERT INTO tickets VALUES (1, 1, 'first' || char(9) || 'tab' || char(10) || 'newline \ backslash', x'00ff10', '2025-01-01 00:00:00', 'open');
        INSERT INTO tickets VALUES (2, 2, NULL, NULL, 2460000.5, 'closed');
        INSERT INTO tickets VALUES (5, 2, 'unix', x'', 1733819400, 'open');
        INSERT INTO "User" VALUES (1, 'a', 'X'), (1, 'b', NULL), (2, 'a', 'Y');
        INSERT INTO events VALUES (1.5, 'k', x'01'), (NULL, NULL, NULL), (0.30000000000000004, 'k', x'02');
        """;

    public static string Create(string folder, string sql, string name = "dev.db")
    {
        var path = Path.Combine(folder, name);
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False;Foreign Keys=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
        return path;
    }
}
