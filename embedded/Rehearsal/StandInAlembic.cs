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
/// The stand-in API image's <c>alembic</c>: the rehearsal runs the guide's "alembic upgrade head" in the API pod,
/// and this applies the SQL migrations of <c>rehearsal/migrations/</c> to the rehearsal's real PostgreSQL,
/// keeping Alembic's <c>alembic_version</c> table. It understands current, upgrade and downgrade.
/// </summary>
public sealed class StandInAlembic(string migrationsFolder, PostgresTarget database)
{
    public async Task<int> RunAsync(IReadOnlyList<string> arguments, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var migrations = Directory.GetFiles(migrationsFolder, "*.sql").Order(StringComparer.Ordinal).Select(MigrationFile.Read).ToList();
        try
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            var current = await CurrentAsync(connection, cancellationToken);
            switch (arguments)
            {
                case ["current", ..]:
                    await output.WriteLineAsync(current is null ? string.Empty : $"{current}{(current == migrations[^1].Revision ? " (head)" : string.Empty)}");
                    return 0;
                case ["upgrade", var target]:
                    await UpgradeAsync(connection, migrations, current, target == "head" ? migrations[^1].Revision : target, output, cancellationToken);
                    return 0;
                case ["downgrade", var target]:
                    await DowngradeAsync(connection, migrations, current, target == "base" ? null : target, output, cancellationToken);
                    return 0;
                default:
                    await error.WriteLineAsync($"usage: alembic current | upgrade <revision|head> | downgrade <revision|base> (got: {string.Join(' ', arguments)})");
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
