using Npgsql;

namespace TwisterLab.Cake.Data;

/// <summary>Before/after alembic revisions of one migration run.</summary>
public sealed record SchemaChange(string? Before, string? After)
{
    public bool Changed => !string.Equals(Before, After, StringComparison.Ordinal);

    public override string ToString() => Changed ? $"alembic {Before ?? "(none)"} -> {After ?? "(none)"}" : $"alembic unchanged at {After ?? "(none)"}";
}

/// <summary>
/// Reads the alembic revision (<c>alembic_version.version_num</c>), the guide's "Verify database schema version".
/// Running <c>alembic upgrade head</c> in the API pod belongs to the cluster layer; it reads before and after and compares.
/// </summary>
public static class SchemaVersion
{
    /// <returns>The revision, or null when the database has no alembic_version table (never migrated by alembic).</returns>
    public static async Task<string?> ReadAsync(PostgresTarget target, CancellationToken cancellationToken = default)
    {
        await using var connection = await PostgresErrors.OpenAsync(target, cancellationToken);
        return await ReadAsync(connection, cancellationToken);
    }

    public static async Task<string?> ReadAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        await using var exists = new NpgsqlCommand("SELECT to_regclass('alembic_version') IS NOT NULL", connection);
        if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!) return null;
        // Branching histories keep several heads; report them all, sorted, so comparisons are stable.
        await using var command = new NpgsqlCommand("SELECT string_agg(version_num, ',' ORDER BY version_num) FROM alembic_version", connection);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public static SchemaChange Compare(string? before, string? after) => new(before, after);

    /// <summary>Throws when a migration that should have moved the revision left it where it was (or the reverse).</summary>
    public static void Expect(SchemaChange change, bool shouldChange)
    {
        if (change.Changed != shouldChange)
            throw new DataOperationException(shouldChange
                ? $"Schema revision did not change ({change}): check the alembic output in the API pod; nothing was migrated."
                : $"Schema revision changed unexpectedly ({change}): someone migrated this database; stop and inspect before continuing.");
    }
}
