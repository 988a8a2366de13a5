using Npgsql;
using TwisterLab.Cake.Data;

namespace TwisterLab.Cake.Rehearsal;

/// <summary>
/// The stand-in API image's <c>alembic</c>, as honest as the real one: an image knows only the migrations built into
/// it, <c>rehearsal/migrations/&lt;version&gt;/</c> (see <see cref="FolderFor"/>), so v1's image cannot reach v2's head
/// and a database at a revision the image does not have is an error ("Can't locate revision identified by …"), as
/// with Alembic. It applies the SQL of those files to the rehearsal's real PostgreSQL, keeping Alembic's
/// <c>alembic_version</c> table, and understands current, heads, history, upgrade and downgrade. Files mounted into the
/// image's version folder (<see cref="ImageVersionsPath"/>, e.g. a revision a Job mounts from a ConfigMap) are an extra
/// version location, as they are for Alembic; only the pod that mounts them sees them.
/// </summary>
public sealed class StandInAlembic(string migrationsFolder, PostgresTarget database, string? mountedVersions = null)
{
    /// <summary>Where the stand-in image keeps its migrations (alembic/versions under its WORKDIR /app): a file mounted here is one more revision.</summary>
    public const string ImageVersionsPath = "/app/alembic/versions";

    /// <summary>The alembic of the stand-in image <paramref name="image"/> (twisterlab-api:&lt;tag&gt;), plus the revisions mounted into its version folder.</summary>
    public static StandInAlembic ForImage(string migrationsRoot, string image, PostgresTarget database, string? mountedVersions = null) =>
        new(FolderFor(migrationsRoot, image), database, mountedVersions);

    /// <summary>
    /// The migrations an image tag carries: its own folder, else the release it was built from — the last folder that
    /// sorts (ordinally) at or before the tag (v2.1 and v2-degraded carry v2's, v1.1 carries v1's). A tag before every
    /// folder carries none.
    /// </summary>
    public static string FolderFor(string migrationsRoot, string image)
    {
        var tag = image[(image.LastIndexOf(':') + 1)..];
        var release = Directory.GetDirectories(migrationsRoot).Select(Path.GetFileName).OfType<string>()
            .Where(folder => string.CompareOrdinal(folder, tag) <= 0).Order(StringComparer.Ordinal).LastOrDefault();
        return release is null ? Path.Combine(migrationsRoot, tag) : Path.Combine(migrationsRoot, release);
    }

    public async Task<int> RunAsync(IReadOnlyList<string> arguments, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            var history = MigrationHistory.Read([migrationsFolder, mountedVersions]);
            switch (arguments)
            {
                // What the image carries, without a database (alembic heads / history read only the scripts).
                case ["heads", ..]:
                    foreach (var head in history.Heads)
                    {
                        await output.WriteLineAsync($"{head} (head)");
                    }

                    return 0;
                case ["history", ..]:
                    foreach (var migration in history.NewestFirst)
                    {
                        await output.WriteLineAsync($"{migration.DownRevision ?? "<base>"} -> {migration.Revision}{(history.IsHead(migration.Revision) ? " (head)" : string.Empty)}, {migration.Revision}");
                    }

                    return 0;
            }

            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            var current = await CurrentAsync(connection, cancellationToken);
            if (current is not null && !history.Knows(current))
            {
                throw new InvalidOperationException($"Can't locate revision identified by '{current}'");
            }

            switch (arguments)
            {
                case ["current", ..]:
                    await output.WriteLineAsync(current is null ? string.Empty : $"{current}{(history.IsHead(current) ? " (head)" : string.Empty)}");
                    return 0;
                case ["upgrade", var target]:
                    await RunAsync(connection, history.UpgradePath(current, target == "head" ? history.SingleHead() : target), upgrade: true, output, cancellationToken);
                    return 0;
                case ["downgrade", var target]:
                    await RunAsync(connection, history.DowngradePath(current, target == "base" ? null : target), upgrade: false, output, cancellationToken);
                    return 0;
                default:
                    await error.WriteLineAsync($"usage: alembic current | heads | history | upgrade <revision|head> | downgrade <revision|base> (got: {string.Join(' ', arguments)})");
                    return 2;
            }
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or InvalidDataException)
        {
            await error.WriteLineAsync($"alembic: {exception.Message}");
            return 1;
        }
    }

    /// <summary>
    /// Alembic on PostgreSQL runs the whole upgrade (or downgrade) in one transaction, so a failing migration changes
    /// nothing; an autocommit block (CREATE INDEX CONCURRENTLY) commits what came before it and runs outside it.
    /// </summary>
    private static async Task RunAsync(NpgsqlConnection connection, IReadOnlyList<MigrationFile> path, bool upgrade, TextWriter output, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken);
        try
        {
            foreach (var migration in path)
            {
                await output.WriteLineAsync(upgrade
                    ? $"INFO  [alembic.runtime.migration] Running upgrade {migration.DownRevision ?? string.Empty} -> {migration.Revision}"
                    : $"INFO  [alembic.runtime.migration] Running downgrade {migration.Revision} -> {migration.DownRevision ?? string.Empty}");
                foreach (var statement in upgrade ? migration.Upgrade : migration.Downgrade)
                {
                    if (statement.Autocommit)
                    {
                        await transaction.CommitAsync(cancellationToken);
                        await transaction.DisposeAsync();
                        await ExecuteAsync(connection, statement.Sql, cancellationToken);
                        transaction = await connection.BeginTransactionAsync(cancellationToken);
                        continue;
                    }

                    await ExecuteAsync(connection, statement.Sql, cancellationToken);
                }

                await SetVersionAsync(connection, upgrade ? migration.Revision : migration.DownRevision, cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            await transaction.DisposeAsync();
        }
    }

    private static async Task<string?> CurrentAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, "CREATE TABLE IF NOT EXISTS alembic_version (version_num varchar(32) NOT NULL PRIMARY KEY)", cancellationToken);
        await using var command = new NpgsqlCommand("SELECT version_num FROM alembic_version", connection);
        return (string?)await command.ExecuteScalarAsync(cancellationToken);
    }

    private static async Task SetVersionAsync(NpgsqlConnection connection, string? revision, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, "DELETE FROM alembic_version", cancellationToken);
        if (revision is not null)
        {
            await using var command = new NpgsqlCommand("INSERT INTO alembic_version (version_num) VALUES ($1)", connection) { Parameters = { new() { Value = revision } } };
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
