using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;

namespace TwisterLab.Cake.Rollback.Data;

/// <summary>Undo of moving SQLite tables into PostgreSQL: the tables it created dropped (none of them existed before).</summary>
public sealed record DropMigratedTables(string Database, IReadOnlyList<string> Tables) : Compensation
{
    public override string Describe() => $"DROP TABLE IF EXISTS {string.Join(", ", Tables)}   # in {Database}";
}

public sealed class DropMigratedTablesHandler(DeployContext context) : CompensationHandler<DropMigratedTables>
{
    // DROP TABLE IF EXISTS: idempotent.
    protected override Task ApplyAsync(DropMigratedTables compensation, CancellationToken cancellationToken) =>
        new SqliteToPostgresMigrator().UndoAsync(context.Database, new SqliteMigrationReport([], [], compensation.Tables, TimeSpan.Zero), cancellationToken);
}
