using System.Net.Sockets;
using Npgsql;

namespace TwisterLab.Cake.Data;

/// <summary>Turns driver exceptions into one-line <see cref="DataOperationException"/>s that say what to fix.</summary>
public static class PostgresErrors
{
    public static async Task<NpgsqlConnection> OpenAsync(PostgresTarget target, CancellationToken cancellationToken = default)
    {
        var connection = target.CreateConnection();
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            await connection.DisposeAsync();
            throw Translate(ex, target);
        }
    }

    public static DataOperationException Translate(Exception ex, PostgresTarget target, string? doing = null)
    {
        var where = doing is null ? $"PostgreSQL {target}" : $"{doing} on PostgreSQL {target}";
        return ex switch
        {
            PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification }
                => new($"Authentication failed for {where}: check the user and password in the database URL.", ex),
            PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName }
                => new($"Database '{target.Database}' does not exist on {target.Host}:{target.Port}: create it or fix the database name.", ex),
            PostgresException { SqlState: PostgresErrorCodes.UndefinedTable } pg
                => new($"Missing table in {where}: {pg.MessageText}; check the table name or run the migrations first.", ex),
            PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } pg
                => new($"Duplicate key in {where}: {pg.MessageText} ({pg.Detail}); remove the duplicates in the source and retry.", ex),
            PostgresException { SqlState: PostgresErrorCodes.ForeignKeyViolation } pg
                => new($"Foreign key violation in {where}: {pg.MessageText} ({pg.Detail}); fix the orphan rows in the source and retry.", ex),
            PostgresException { SqlState: PostgresErrorCodes.DiskFull } pg
                => new($"Server disk full during {where}: {pg.MessageText}; free space on the database server and retry.", ex),
            PostgresException pg
                => new($"{where} failed: {pg.SqlState} {pg.MessageText}.", ex),
            NpgsqlException { InnerException: SocketException or TimeoutException } or SocketException or TimeoutException
                => new($"Cannot reach {where}: check host, port and that the server is running.", ex),
            NpgsqlException npg when npg.Message.Contains("Failed to connect", StringComparison.OrdinalIgnoreCase)
                => new($"Cannot reach {where}: check host, port and that the server is running.", ex),
            _ => new($"{where} failed: {FirstLine(ex.Message)}.", ex),
        };
    }

    private static string FirstLine(string message) => message.Split('\n')[0].TrimEnd('.');
}
