namespace TwisterLab.Cake.Data;

/// <summary>
/// Writes to one database refused for a while, the application left running: <c>ALTER DATABASE … SET
/// default_transaction_read_only = on</c> (every new session's transactions are read-only) and the sessions already
/// open terminated (a client reconnects into a read-only session; an open transaction is rolled back, never
/// acknowledged). Reads keep working. Replication senders, this process's own sessions and a <see cref="FreezePoint"/>
/// (a read-only snapshot of the frozen content, read after the freeze) are spared.
/// </summary>
public static class WriteFreeze
{
    /// <summary>Freezes and returns how many open sessions were ended.</summary>
    public static async Task<int> FreezeAsync(PostgresTarget database, CancellationToken cancellationToken)
    {
        await using var connection = await LogicalReplication.OpenAsync(database, cancellationToken);
        await LogicalReplication.Execute(connection, $"ALTER DATABASE {Sql.Quote(database.Database)} SET default_transaction_read_only = on", cancellationToken);
        var ended = await LogicalReplication.Scalar(connection,
            $"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = {Sql.Literal(database.Database)} AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND application_name <> {Sql.Literal(FreezePoint.ApplicationName)}",
            cancellationToken);
        // This process's own idle pooled sessions were among them: drop them, so no later command meets a dead one.
        Npgsql.NpgsqlConnection.ClearAllPools();
        return (int)(long)ended!;
    }

    /// <summary>Writes accepted again (idempotent): the database default removed; sessions opened during the freeze stay read-only until they reconnect.</summary>
    public static async Task LiftAsync(PostgresTarget database, CancellationToken cancellationToken)
    {
        await using var connection = await LogicalReplication.OpenAsync(database, cancellationToken);
        await LogicalReplication.Execute(connection, $"ALTER DATABASE {Sql.Quote(database.Database)} RESET default_transaction_read_only", cancellationToken);
        // Sessions opened while frozen took the read-only default at connect: end them so their clients reconnect writable.
        await LogicalReplication.Execute(connection,
            $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = {Sql.Literal(database.Database)} AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND application_name <> {Sql.Literal(FreezePoint.ApplicationName)}",
            cancellationToken);
        Npgsql.NpgsqlConnection.ClearAllPools();
    }

    /// <summary>True when new sessions of the database start read-only.</summary>
    public static async Task<bool> IsFrozenAsync(PostgresTarget database, CancellationToken cancellationToken)
    {
        await using var connection = await PostgresErrors.OpenAsync(new PostgresTarget(new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString), cancellationToken);
        return (string?)await LogicalReplication.Scalar(connection, "SHOW default_transaction_read_only", cancellationToken) == "on";
    }
}
