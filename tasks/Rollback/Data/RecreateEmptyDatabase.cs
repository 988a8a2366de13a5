using Npgsql;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake.Rollback.Data;

/// <summary>
/// Undo of restoring into a database that was empty (or absent): it is dropped and, when it existed, created again
/// empty with its owner. The server address holds a password, so the journal keeps it sealed (<see cref="SecretStash"/>).
/// </summary>
public sealed record RecreateEmptyDatabase(string ServerProtected, string Shown, string Database, string? Owner) : Compensation
{
    public override string Describe() =>
        Owner is null
            ? $"DROP DATABASE {Database} WITH (FORCE)   # on {Shown}"
            : $"DROP DATABASE {Database} WITH (FORCE); CREATE DATABASE {Database} OWNER {Owner}   # on {Shown}";
}

public sealed class RecreateEmptyDatabaseHandler(SecretStash stash) : CompensationHandler<RecreateEmptyDatabase>
{
    // Dropping and creating an empty database twice leaves the same empty database: idempotent.
    protected override async Task ApplyAsync(RecreateEmptyDatabase compensation, CancellationToken cancellationToken)
    {
        var target = PostgresTarget.Parse(stash.Unprotect(compensation.ServerProtected)).WithDatabase(compensation.Database);
        await ScratchDatabase.DropAsync(target, cancellationToken);
        if (compensation.Owner is not null)
        {
            await using var connection = await PostgresErrors.OpenAsync(target.Maintenance, cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE {Sql.Quote(compensation.Database)} OWNER {Sql.Quote(compensation.Owner)}", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
