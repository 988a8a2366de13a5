using System.Text;
using Npgsql;
using TwisterLab.Cake.Data;

namespace TwisterLab.Cake.Rehearsal;

/// <summary>One migration file of <c>rehearsal/migrations/</c>: its revision, the one before, and its SQL both ways.</summary>
public sealed record MigrationFile(string Revision, string? DownRevision, string Upgrade, string Downgrade)
{
    public static MigrationFile Read(string path)
    {
        var text = File.ReadAllText(path);
        string Header(string name) =>
            text.Split('\n').Select(line => line.Trim()).FirstOrDefault(line => line.StartsWith($"-- {name}:", StringComparison.Ordinal))?[(name.Length + 4)..].Trim()
            ?? throw new InvalidDataException($"{path} has no '-- {name}:' line");
        var parts = text.Split("-- downgrade:", 2);
        var down = Header("down_revision");
        return new MigrationFile(Header("revision"), down == "none" ? null : down, parts[0], parts.Length > 1 ? parts[1] : string.Empty);
    }
}

/// <summary>
/// The stand-in API image's <c>alembic</c>, as honest as the real one: an image knows only the migrations built into
/// it, <c>rehearsal/migrations/&lt;version&gt;/</c> (see <see cref="FolderFor"/>), so v1's image cannot reach v2's head
/// and a database at a revision the image does not have is an error ("Can't locate revision identified by …"), as
/// with Alembic. It applies the SQL of those files to the rehearsal's real PostgreSQL, keeping Alembic's
/// <c>alembic_version</c> table, and understands current, heads, history, upgrade and downgrade.
/// </summary>
public sealed class StandInAlembic(string migrationsFolder, PostgresTarget database)
{
    /// <summary>The alembic of the stand-in image <paramref name="image"/> (twisterlab-api:&lt;tag&gt;).</summary>
    public static StandInAlembic ForImage(string migrationsRoot, string image, PostgresTarget database) =>
        new(FolderFor(migrationsRoot, image), database);

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
        var migrations = Directory.Exists(migrationsFolder)
            ? Directory.GetFiles(migrationsFolder, "*.sql").Order(StringComparer.Ordinal).Select(MigrationFile.Read).ToList()
            : [];
        var head = migrations.Count == 0 ? null : migrations[^1].Revision;
        try
        {
            switch (arguments)
            {
                // What the image carries, without a database (alembic heads / history read only the scripts).
                case ["heads", ..]:
                    await output.WriteLineAsync(head is null ? string.Empty : $"{head} (head)");
                    return 0;
                case ["history", ..]:
                    foreach (var migration in Enumerable.Reverse(migrations))
                    {
                        await output.WriteLineAsync($"{migration.DownRevision ?? "<base>"} -> {migration.Revision}{(migration.Revision == head ? " (head)" : string.Empty)}, {migration.Revision}");
                    }

                    return 0;
            }

            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            var current = await CurrentAsync(connection, cancellationToken);
            if (current is not null && migrations.All(migration => migration.Revision != current))
            {
                throw new InvalidOperationException($"Can't locate revision identified by '{current}'");
            }

            switch (arguments)
            {
                case ["current", ..]:
                    await output.WriteLineAsync(current is null ? string.Empty : $"{current}{(current == head ? " (head)" : string.Empty)}");
                    return 0;
                case ["upgrade", var target]:
                    await UpgradeAsync(connection, migrations, current, target == "head" ? head ?? "head" : target, output, cancellationToken);
                    return 0;
                case ["downgrade", var target]:
                    await DowngradeAsync(connection, migrations, current, target == "base" ? null : target, output, cancellationToken);
                    return 0;
                default:
                    await error.WriteLineAsync($"usage: alembic current | heads | history | upgrade <revision|head> | downgrade <revision|base> (got: {string.Join(' ', arguments)})");
                    return 2;
            }
        }
        catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException)
        {
            await error.WriteLineAsync($"alembic: {exception.Message}");
            return 1;
        }
    }

    private static async Task UpgradeAsync(NpgsqlConnection connection, List<MigrationFile> migrations, string? current, string target, TextWriter output, CancellationToken cancellationToken)
    {
        var start = current is null ? 0 : migrations.FindIndex(migration => migration.Revision == current) + 1;
        var end = migrations.FindIndex(migration => migration.Revision == target);
        if (end < 0)
        {
            throw new InvalidOperationException($"Can't locate revision identified by '{target}'");
        }

        // Alembic on PostgreSQL runs the whole upgrade in one transaction: a failing migration changes nothing.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var migration in migrations.Skip(start).Take(end - start + 1))
        {
            await output.WriteLineAsync($"INFO  [alembic.runtime.migration] Running upgrade {migration.DownRevision ?? string.Empty} -> {migration.Revision}");
            await ExecuteAsync(connection, migration.Upgrade, cancellationToken);
            await SetVersionAsync(connection, migration.Revision, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task DowngradeAsync(NpgsqlConnection connection, List<MigrationFile> migrations, string? current, string? target, TextWriter output, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        while (current != target)
        {
            var migration = migrations.Single(candidate => candidate.Revision == current);
            await output.WriteLineAsync($"INFO  [alembic.runtime.migration] Running downgrade {migration.Revision} -> {migration.DownRevision ?? string.Empty}");
            await ExecuteAsync(connection, migration.Downgrade, cancellationToken);
            await SetVersionAsync(connection, migration.DownRevision, cancellationToken);
            current = migration.DownRevision;
        }

        await transaction.CommitAsync(cancellationToken);
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
