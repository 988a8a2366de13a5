using TwisterLab.Cake.Data;

namespace TwisterLab.Cake.Cluster.Postgres;

/// <summary>
/// The manifest's facts (server version, alembic revision, exact rows per table), asked with one SQL statement that
/// psql runs in the pod. Each line is tagged, and an end line carries the table count, so that a reply cut short
/// (stderr is captured up to 64 KiB) is detected instead of read as "fewer tables".
/// </summary>
public static class InPodFacts
{
    public const string Tag = "twisterlab-fact";

    /// <summary>
    /// Counts go through query_to_xml so that one static statement can count tables it only discovers while running.
    /// The table filter is the one <see cref="DatabaseCatalog.TablesAsync"/> uses, so both paths count the same tables.
    /// </summary>
    public const string Sql = """
        WITH tables AS (
            SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
              AND NOT c.relispartition)
        SELECT 'twisterlab-fact' || E'\t' || line FROM (
            SELECT 1 AS part, '' AS name, 'version' || E'\t' || current_setting('server_version') AS line
            UNION ALL
            SELECT 2, '', 'alembic' || E'\t' || coalesce(CASE WHEN to_regclass('alembic_version') IS NOT NULL THEN (xpath('/row/v/text()',
                query_to_xml('SELECT string_agg(version_num, '','' ORDER BY version_num) AS v FROM alembic_version', false, true, '')))[1]::text END, '')
            UNION ALL
            SELECT 3, nspname || '.' || relname, 'rows' || E'\t' || nspname || '.' || relname || E'\t' ||
                (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I', nspname, relname), false, true, '')))[1]::text
            FROM tables
            UNION ALL
            SELECT 4, '', 'end' || E'\t' || (SELECT count(*) FROM tables)) facts
        ORDER BY part, name;
        """;

    /// <summary>Reads the tagged lines out of <paramref name="output"/>; other lines (pg_dump's warnings) are ignored.</summary>
    public static DatabaseFacts Parse(string output, string where)
    {
        string? version = null, alembic = null;
        int? expected = null;
        var rows = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n'))
        {
            var fields = line.TrimEnd('\r').Split('\t');
            switch (fields)
            {
                case [Tag, "version", var value]: version = value; break;
                case [Tag, "alembic", var value]: alembic = value.Length == 0 ? null : value; break;
                case [Tag, "rows", var table, var count] when long.TryParse(count, out var n): rows[table] = n; break;
                case [Tag, "end", var count] when int.TryParse(count, out var n): expected = n; break;
            }
        }

        if (version is null || expected is null || expected != rows.Count)
        {
            throw new DataOperationException($"The database facts from {where} are incomplete ({rows.Count} of {expected?.ToString() ?? "?"} tables counted): run again; if it persists, check that psql works in the pod.");
        }

        return new DatabaseFacts(version, rows, alembic);
    }
}
