using Npgsql;

namespace TwisterLab.Cake.Data;

/// <summary>
/// One server's content as it was during a write freeze, still readable after writes resume. A REPEATABLE READ
/// transaction sees, for as long as it stays open, exactly the rows committed before its first statement (PostgreSQL's
/// MVCC snapshot: later commits, updates and deletes are invisible to it, their old row versions kept for it). Opened
/// while nothing can write, its first statement is a catalog read — milliseconds at any table size — and the full
/// row counts and checksums are read from it later, while the application already writes again.
/// https://www.postgresql.org/docs/15/transaction-iso.html#XACT-REPEATABLE-READ
/// </summary>
public sealed class FreezePoint : IAsyncDisposable
{
    /// <summary>The pinning session's application_name: ending a freeze's sessions spares it (<see cref="WriteFreeze"/>).</summary>
    public const string ApplicationName = "twisterlab freeze point";

    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;

    private FreezePoint(PostgresTarget server, NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<string> tables, string? alembicRevision)
    {
        Server = server;
        _connection = connection;
        _transaction = transaction;
        Tables = tables;
        AlembicRevision = alembicRevision;
    }

    public PostgresTarget Server { get; }

    /// <summary>The user tables at the freeze (schema-qualified), read as the snapshot's first statement.</summary>
    public IReadOnlyList<string> Tables { get; }

    public string? AlembicRevision { get; }

    /// <summary>Pins <paramref name="server"/>'s current content; call it only while nothing writes there.</summary>
    public static async Task<FreezePoint> PinAsync(PostgresTarget server, CancellationToken cancellationToken)
    {
        // Its own session (never pooled), not ended by an idle-in-transaction timeout while the steps between run.
        var session = new NpgsqlConnectionStringBuilder(server.ConnectionString)
        {
            Pooling = false, ApplicationName = ApplicationName, CommandTimeout = 0, Options = "-c idle_in_transaction_session_timeout=0",
        };
        var connection = await PostgresErrors.OpenAsync(new PostgresTarget(session.ConnectionString), cancellationToken);
        try
        {
            await IntegritySnapshotter.PinOutputSettingsAsync(connection, cancellationToken);
            var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
            var tables = await DatabaseCatalog.TablesAsync(connection, cancellationToken); // the first statement: the snapshot is taken here
            if (tables.Count > 0)
            {
                // TRUNCATE, DROP and table rewrites are not MVCC-safe: an old snapshot would see the rows vanish. The lock
                // keeps them off these tables until the content is read; rows are written and read meanwhile as usual.
                await using var command = new NpgsqlCommand($"LOCK TABLE {string.Join(", ", tables.Select(table => table.Quoted))} IN ACCESS SHARE MODE", connection);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            var revision = await SchemaVersion.ReadAsync(connection, cancellationToken);
            return new FreezePoint(server, connection, transaction, tables.Select(table => table.QualifiedName).ToList(), revision);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Exact row counts as they were when pinned (count(*): reads every table once).</summary>
    public async Task<IReadOnlyDictionary<string, long>> RowCountsAsync(CancellationToken cancellationToken) =>
        await DatabaseCatalog.RowCountsAsync(_connection, await DatabaseCatalog.TablesAsync(_connection, cancellationToken), cancellationToken);

    /// <summary>Row counts and content checksums of every table as they were when pinned (reads every row: seconds per million).</summary>
    public async Task<IntegritySnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await IntegritySnapshotter.TakeInAsync(_connection, withChecksums: true, cancellationToken);
        }
        catch (PostgresException ex)
        {
            throw PostgresErrors.Translate(ex, Server, "integrity snapshot at the freeze");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}

/// <summary>Both servers of a major upgrade pinned at the write freeze (<see cref="FreezePoint"/>).</summary>
public sealed record FreezePoints(FreezePoint Old, FreezePoint New) : IAsyncDisposable
{
    public async ValueTask DisposeAsync()
    {
        await Old.DisposeAsync();
        await New.DisposeAsync();
    }
}
