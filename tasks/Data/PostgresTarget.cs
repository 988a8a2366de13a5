using Npgsql;

namespace TwisterLab.Cake.Data;

/// <summary>
/// Where a PostgreSQL database is. Built from an Npgsql connection string or a URL
/// (<c>postgresql://user:pass@host:port/db</c>, also the guide's <c>postgresql+asyncpg://…</c> and <c>postgres://…</c>).
/// <see cref="ToString"/> never shows the password.
/// </summary>
public sealed record PostgresTarget(string ConnectionString)
{
    public static PostgresTarget Parse(string connectionStringOrUrl)
    {
        if (string.IsNullOrWhiteSpace(connectionStringOrUrl))
            throw new DataOperationException("Database address is empty: pass --database-url=postgresql://user:pass@host:5432/db or an Npgsql connection string.");
        var text = connectionStringOrUrl.Trim();
        return new PostgresTarget(text.Contains("://", StringComparison.Ordinal) ? FromUrl(text) : FromConnectionString(text));
    }

    private NpgsqlConnectionStringBuilder Builder => new(ConnectionString);

    public string Host => Builder.Host ?? "localhost";
    public int Port => Builder.Port;
    public string Database => Builder.Database ?? Username;
    public string Username => Builder.Username ?? Environment.UserName;
    public string? Password => Builder.Password;

    /// <summary>Same server and credentials, another database (scratch databases, restore targets).</summary>
    public PostgresTarget WithDatabase(string database)
    {
        var builder = Builder;
        builder.Database = database;
        return new PostgresTarget(builder.ConnectionString);
    }

    /// <summary>The maintenance database used to create and drop other databases.</summary>
    public PostgresTarget Maintenance => WithDatabase("postgres");

    public NpgsqlConnection CreateConnection() => new(ConnectionString);

    public override string ToString() => $"{Username}@{Host}:{Port}/{Database}";

    private static string FromConnectionString(string text)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(text).ConnectionString;
        }
        catch (ArgumentException ex)
        {
            throw new DataOperationException($"Database connection string is not valid ({ex.Message.Split('\n')[0]}): use Host=...;Port=...;Database=...;Username=...;Password=... or a postgresql:// URL.", ex);
        }
    }

    private static string FromUrl(string text)
    {
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgresql" or "postgres" or "postgresql+asyncpg" or "postgresql+psycopg2" or "postgresql+psycopg"))
            throw new DataOperationException($"Database URL '{SecretRedactor.Redact(text)}' is not a PostgreSQL URL: use postgresql://user:pass@host:5432/db (postgresql+asyncpg:// is accepted too).");
        var userInfo = uri.UserInfo.Split(':', 2);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')),
        };
        if (userInfo[0].Length > 0) builder.Username = Uri.UnescapeDataString(userInfo[0]);
        if (userInfo.Length > 1) builder.Password = Uri.UnescapeDataString(userInfo[1]);
        if (string.IsNullOrEmpty(builder.Database)) builder.Database = builder.Username;
        return builder.ConnectionString;
    }
}
