using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace TwisterLab.Cake.Data;

public sealed record TableIntegrity(string Table, long Rows, string? Checksum);

public sealed record IntegrityDifference(string Table, string Problem);

/// <summary>Row counts and content checksums of every user table: the guide's verify_data_integrity.</summary>
public sealed record IntegritySnapshot(IReadOnlyList<TableIntegrity> Tables, string? AlembicRevision)
{
    /// <summary>Differences against <paramref name="expected"/> (missing, extra, different counts or checksums).</summary>
    public IReadOnlyList<IntegrityDifference> CompareTo(IntegritySnapshot expected)
    {
        var actual = Tables.ToDictionary(t => t.Table);
        var differences = new List<IntegrityDifference>();
        foreach (var table in expected.Tables)
        {
            if (!actual.Remove(table.Table, out var mine)) differences.Add(new(table.Table, "missing"));
            else if (mine.Rows != table.Rows) differences.Add(new(table.Table, $"{mine.Rows} rows, expected {table.Rows}"));
            else if (table.Checksum is not null && mine.Checksum is not null && mine.Checksum != table.Checksum) differences.Add(new(table.Table, "content checksum differs"));
        }
        differences.AddRange(actual.Keys.Select(extra => new IntegrityDifference(extra, "unexpected table")));
        return differences;
    }
}

/// <summary>
/// Takes <see cref="IntegritySnapshot"/>s. The checksum is SHA-256 over <c>COPY (SELECT * … ORDER BY primary key) TO STDOUT</c>
/// with the output settings pinned (UTC, ISO dates, hex bytea, shortest-exact floats) and text keys ordered by
/// <c>COLLATE "C"</c>, so the same data gives the same checksum on another server, locale or (12+) version.
/// Tables without a primary key are ordered by their whole row text. Rows are streamed, never collected.
/// </summary>
public static class IntegritySnapshotter
{
    public static async Task<IntegritySnapshot> TakeAsync(PostgresTarget target, bool withChecksums = true, CancellationToken cancellationToken = default)
    {
        await using var connection = await PostgresErrors.OpenAsync(target, cancellationToken);
        try
        {
            await PinOutputSettingsAsync(connection, cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
            return await TakeInAsync(connection, withChecksums, cancellationToken);
        }
        catch (PostgresException ex)
        {
            throw PostgresErrors.Translate(ex, target, "integrity snapshot");
        }
    }

    /// <summary>
    /// The snapshot read in the transaction already open on <paramref name="connection"/> (REPEATABLE READ: what it saw at
    /// its first statement, however long ago), whose output settings <see cref="PinOutputSettingsAsync"/> pinned.
    /// </summary>
    internal static async Task<IntegritySnapshot> TakeInAsync(NpgsqlConnection connection, bool withChecksums, CancellationToken cancellationToken)
    {
        var tables = await DatabaseCatalog.TablesAsync(connection, cancellationToken);
        var counts = await DatabaseCatalog.RowCountsAsync(connection, tables, cancellationToken);
        var result = new List<TableIntegrity>();
        foreach (var table in tables)
        {
            var checksum = withChecksums ? await ChecksumAsync(connection, table, cancellationToken) : null;
            result.Add(new TableIntegrity(table.QualifiedName, counts[table.QualifiedName], checksum));
        }
        var revision = await SchemaVersion.ReadAsync(connection, cancellationToken);
        return new IntegritySnapshot(result, revision);
    }

    internal static async Task PinOutputSettingsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET bytea_output = 'hex'; SET extra_float_digits = 1", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<string> ChecksumAsync(NpgsqlConnection connection, TableInfo table, CancellationToken cancellationToken)
    {
        var order = table.PrimaryKey.Count > 0
            ? string.Join(", ", table.PrimaryKey.Select(k => Sql.Quote(k.Name) + (k.Collatable ? " COLLATE \"C\"" : "")))
            : "t::text COLLATE \"C\"";
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var reader = await connection.BeginTextExportAsync($"COPY (SELECT * FROM {table.Quoted} t ORDER BY {order}) TO STDOUT", cancellationToken))
        {
            var chars = new char[1 << 16];
            var bytes = new byte[Encoding.UTF8.GetMaxByteCount(chars.Length)];
            var encoder = Encoding.UTF8.GetEncoder(); // stateful: a surrogate pair split across two reads stays intact
            int read;
            while ((read = await reader.ReadAsync(chars, cancellationToken)) > 0)
            {
                var length = encoder.GetBytes(chars, 0, read, bytes, 0, flush: false);
                hash.AppendData(bytes, 0, length);
            }
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
