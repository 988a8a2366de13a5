using Npgsql;
using TwisterLab.Cake.Tools;

namespace TwisterLab.Cake.Data;

/// <summary>What the old server allows for a copy by logical replication, read before any change.</summary>
public sealed record ReplicationReadiness(string WalLevel, IReadOnlyList<string> TablesWithoutIdentity, long EstimatedRows)
{
    /// <summary>wal_level = logical, and every table can publish its UPDATEs and DELETEs (a key or a replica identity).</summary>
    public bool Possible => WalLevel == "logical" && TablesWithoutIdentity.Count == 0;

    /// <summary>Why a copy by replication is not possible here, with the fix; null when it is.</summary>
    public string? Problem => WalLevel != "logical"
        ? $"the old server has wal_level = {WalLevel}: run ALTER SYSTEM SET wal_level = logical on it and restart it (then the copy runs while the API writes)"
        : TablesWithoutIdentity.Count > 0
            ? $"table(s) {string.Join(", ", TablesWithoutIdentity)} have no primary key: once published, their UPDATEs and DELETEs would fail; add one or ALTER TABLE … REPLICA IDENTITY FULL"
            : null;
}

/// <summary>
/// A database copied to a new server by PostgreSQL's own logical replication (10+): the schema by
/// <c>pg_dump --schema-only | psql</c>, a publication of every table on the old server, a subscription on the new one
/// that copies the rows and then streams every later change. Everything is named <see cref="Name"/> so an undo finds it.
/// Connections to the old server pass <c>default_transaction_read_only=off</c>, so they work during a write freeze.
/// </summary>
public static class LogicalReplication
{
    /// <summary>The publication, the subscription and the replication slot the subscription creates.</summary>
    public const string Name = "twisterlab_upgrade";

    /// <summary>Lag at or under this many bytes of WAL counts as caught up while the API still writes.</summary>
    public const long CaughtUpBytes = 1 << 20;

    public static async Task<ReplicationReadiness> ReadinessAsync(PostgresTarget old, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(old, cancellationToken);
        var walLevel = (string)(await Scalar(connection, "SHOW wal_level", cancellationToken))!;
        var withoutIdentity = new List<string>();
        await using (var command = new NpgsqlCommand(
            """
            SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
              AND (c.relreplident = 'n' OR (c.relreplident = 'd' AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary)))
            ORDER BY 1
            """, connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                withoutIdentity.Add(reader.GetString(0));
            }
        }

        var rows = await Scalar(connection,
            "SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'",
            cancellationToken);
        return new ReplicationReadiness(walLevel, withoutIdentity, (long)rows!);
    }

    /// <summary>The old server's schema into the new (empty) database, in one transaction: no row, no owner, no grant.</summary>
    public static async Task CopySchemaAsync(PostgresTarget old, PostgresTarget @new, CancellationToken cancellationToken)
    {
        var dump = new PgDumpSettings { Format = PgDumpFormat.Plain, SchemaOnly = true, NoOwner = true, NoPrivileges = true };
        dump.ConnectTo(old);
        var load = new PsqlSettings { StopOnError = true, SingleTransaction = true };
        load.ConnectTo(@new);
        await new DumpIntoPsqlPipe(dump, load).RunAsync([], cancellationToken);
    }

    /// <summary>CREATE PUBLICATION … FOR ALL TABLES on the old server (none of that name may exist).</summary>
    public static async Task CreatePublicationAsync(PostgresTarget old, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(old, cancellationToken);
        await Execute(connection, $"CREATE PUBLICATION {Name} FOR ALL TABLES", cancellationToken);
    }

    /// <summary>
    /// CREATE SUBSCRIPTION on the new server, connecting to <paramref name="source"/> (the old server as the new one
    /// reaches it). The password travels inside the SQL statement over the connection, never on a command line; the
    /// new server keeps it in pg_subscription (superusers only) until the subscription is dropped.
    /// </summary>
    public static async Task CreateSubscriptionAsync(PostgresTarget @new, PostgresTarget source, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(@new, cancellationToken);
        try
        {
            await Execute(connection, $"CREATE SUBSCRIPTION {Name} CONNECTION {Sql.Literal(ConnInfo(source))} PUBLICATION {Name} WITH (copy_data = true)", cancellationToken);
        }
        catch (PostgresException exception)
        {
            // The server's message names the problem (e.g. "could not connect to the publisher: …"); the statement, which
            // holds the password, is never part of what is thrown.
            throw new DataOperationException($"CREATE SUBSCRIPTION on {@new} failed: {SecretRedactor.Redact(exception.MessageText)}");
        }
    }

    /// <summary>libpq's key=value form of <paramref name="source"/>, what CREATE SUBSCRIPTION … CONNECTION takes.</summary>
    public static string ConnInfo(PostgresTarget source)
    {
        var parts = new List<string> { $"host={Quote(source.Host)}", $"port={source.Port}", $"dbname={Quote(source.Database)}", $"user={Quote(source.Username)}" };
        if (source.Password is { } password)
        {
            parts.Add($"password={Quote(password)}");
        }

        return string.Join(' ', parts);
        static string Quote(string value) => "'" + value.Replace("\\", "\\\\").Replace("'", "\\'") + "'";
    }

    /// <summary>How far the subscription is: tables still in their initial copy, and WAL bytes not yet confirmed.</summary>
    public static async Task<(int TablesCopying, long LagBytes)> ProgressAsync(PostgresTarget old, PostgresTarget @new, CancellationToken cancellationToken)
    {
        int copying;
        await using (var connection = await OpenAsync(@new, cancellationToken))
        {
            copying = (int)(long)(await Scalar(connection,
                $"SELECT count(*) FROM pg_subscription_rel r JOIN pg_subscription s ON s.oid = r.srsubid WHERE s.subname = '{Name}' AND r.srsubstate <> 'r'", cancellationToken))!;
        }

        return (copying, await LagBytesAsync(old, cancellationToken));
    }

    /// <summary>WAL written on the old server that the subscription has not confirmed; -1 when the slot is gone.</summary>
    public static async Task<long> LagBytesAsync(PostgresTarget old, CancellationToken cancellationToken, string? upTo = null)
    {
        await using var connection = await OpenAsync(old, cancellationToken);
        var target = upTo is null ? "pg_current_wal_lsn()" : $"'{upTo}'::pg_lsn";
        var lag = await Scalar(connection, $"SELECT greatest(({target} - confirmed_flush_lsn)::bigint, 0) FROM pg_replication_slots WHERE slot_name = '{Name}'", cancellationToken);
        return lag is long bytes ? bytes : -1;
    }

    /// <summary>The old server's current WAL position (taken once writes are frozen: what the final catch-up must reach).</summary>
    public static async Task<string> CurrentLsnAsync(PostgresTarget old, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(old, cancellationToken);
        return (await Scalar(connection, "SELECT pg_current_wal_lsn()::text", cancellationToken))!.ToString()!;
    }

    /// <summary>
    /// Every sequence's value from the old server onto the new one (replication copies rows, never sequences): a
    /// sequence that was never used keeps its start. Returns how many were set.
    /// </summary>
    public static async Task<int> CopySequencesAsync(PostgresTarget old, PostgresTarget @new, CancellationToken cancellationToken)
    {
        var values = new List<(string Sequence, long? Last)>();
        await using (var source = await OpenAsync(old, cancellationToken))
        await using (var command = new NpgsqlCommand("SELECT format('%I.%I', schemaname, sequencename), last_value FROM pg_sequences ORDER BY 1", source))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                values.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetInt64(1)));
            }
        }

        await using var target = await OpenAsync(@new, cancellationToken);
        foreach (var (sequence, last) in values.Where(value => value.Last is not null))
        {
            await using var set = new NpgsqlCommand("SELECT setval($1::regclass, $2, true)", target) { Parameters = { new() { Value = sequence }, new() { Value = last!.Value } } };
            await set.ExecuteNonQueryAsync(cancellationToken);
        }

        return values.Count(value => value.Last is not null);
    }

    /// <summary>
    /// Removes the subscription (new server), the publication and a slot left behind (old server). Idempotent; a
    /// subscription whose publisher cannot be reached is detached from its slot first, so it can always be dropped.
    /// </summary>
    public static async Task DropAsync(PostgresTarget old, PostgresTarget @new, CancellationToken cancellationToken)
    {
        await using (var connection = await OpenAsync(@new, cancellationToken))
        {
            if (await Scalar(connection, $"SELECT 1 FROM pg_subscription WHERE subname = '{Name}'", cancellationToken) is not null)
            {
                try
                {
                    await Execute(connection, $"DROP SUBSCRIPTION {Name}", cancellationToken);
                }
                catch (PostgresException)
                {
                    await Execute(connection, $"ALTER SUBSCRIPTION {Name} DISABLE", cancellationToken);
                    await Execute(connection, $"ALTER SUBSCRIPTION {Name} SET (slot_name = NONE)", cancellationToken);
                    await Execute(connection, $"DROP SUBSCRIPTION {Name}", cancellationToken);
                }
            }
        }

        await using var source = await OpenAsync(old, cancellationToken);
        await Execute(source, $"DROP PUBLICATION IF EXISTS {Name}", cancellationToken);
        await Execute(source, $"SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '{Name}' AND NOT active", cancellationToken);
    }

    /// <summary>What is left of a copy on the two servers (publication, slot, subscription), for checks and tests.</summary>
    public static async Task<IReadOnlyList<string>> LeftoversAsync(PostgresTarget old, PostgresTarget @new, CancellationToken cancellationToken)
    {
        var left = new List<string>();
        await using (var source = await OpenAsync(old, cancellationToken))
        {
            if (await Scalar(source, $"SELECT 1 FROM pg_publication WHERE pubname = '{Name}'", cancellationToken) is not null) left.Add("publication");
            if (await Scalar(source, $"SELECT 1 FROM pg_replication_slots WHERE slot_name = '{Name}'", cancellationToken) is not null) left.Add("slot");
        }

        await using var target = await OpenAsync(@new.Maintenance, cancellationToken);
        if (await Scalar(target, $"SELECT 1 FROM pg_subscription WHERE subname = '{Name}'", cancellationToken) is not null) left.Add("subscription");
        return left;
    }

    /// <summary>A connection that may write while the database is frozen (the freeze is a database default; this overrides it).</summary>
    internal static async Task<NpgsqlConnection> OpenAsync(PostgresTarget target, CancellationToken cancellationToken) =>
        await PostgresErrors.OpenAsync(new PostgresTarget(new NpgsqlConnectionStringBuilder(target.ConnectionString) { Options = "-c default_transaction_read_only=off", Pooling = false }.ConnectionString), cancellationToken);

    internal static async Task<object?> Scalar(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DBNull ? null : value;
    }

    internal static async Task Execute(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
