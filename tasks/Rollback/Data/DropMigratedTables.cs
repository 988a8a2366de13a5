using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake.Rollback.Data;

/// <summary>Undo of moving SQLite tables into PostgreSQL: the tables it created dropped (none of them existed before).</summary>
/// <param name="ServerProtected">The database's address, sealed with the run's key (it holds a password).</param>
public sealed record DropMigratedTables(string Database, IReadOnlyList<string> Tables, string? ServerProtected = null) : Compensation
{
    public override string Describe() => $"DROP TABLE IF EXISTS {string.Join(", ", Tables)}   # in {Database}";
}

public sealed class DropMigratedTablesHandler(SecretStash stash) : CompensationHandler<DropMigratedTables>
{
    // DROP TABLE IF EXISTS: idempotent.
    protected override Task ApplyAsync(DropMigratedTables compensation, CancellationToken cancellationToken)
    {
        var server = compensation.ServerProtected ?? throw new InvalidOperationException($"the record names no database to drop {string.Join(", ", compensation.Tables)} from (written by an older build): drop them by hand");
        var target = PostgresTarget.Parse(stash.Unprotect(server)).WithDatabase(compensation.Database);
        return new SqliteToPostgresMigrator().UndoAsync(target, new SqliteMigrationReport([], [], compensation.Tables, TimeSpan.Zero), cancellationToken);
    }
}
