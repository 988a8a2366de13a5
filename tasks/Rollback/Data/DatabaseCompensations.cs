using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;

namespace TwisterLab.Cake.Rollback.Data;

/// <summary>
/// Puts the database back from a verified backup taken earlier in the run: directly with --database-url, otherwise by
/// exec into the postgres deployment (the archive streamed into pg_restore's stdin).
/// <paramref name="Exactly"/> also drops tables created after the backup (a refreshed staging copy brings its own).
/// </summary>
public sealed record RestoreDatabaseFromBackup(string BackupPath, string Database, bool Exactly = false) : Compensation
{
    public override string Describe() =>
        $"{(Exactly ? "DROP the tables the backup does not have; " : string.Empty)}pg_restore --clean --if-exists -d {Database} {BackupPath}";
}

public sealed class RestoreDatabaseFromBackupHandler(DeployContext context) : CompensationHandler<RestoreDatabaseFromBackup>
{
    // Restoring the same backup twice leaves the same database, so this is idempotent.
    protected override async Task ApplyAsync(RestoreDatabaseFromBackup compensation, CancellationToken cancellationToken)
    {
        var tables = await context.Postgres.RestoreAsync(compensation.BackupPath, compensation.Exactly, cancellationToken);
        context.Log.Information("Database restored from {0}: {1} tables checked.", compensation.BackupPath, tables);
    }
}

/// <summary>
/// A schema migration in a database the run will restore from its backup if it fails (a refreshed staging copy):
/// that earlier restore undoes the migration too, so there is nothing to do here and nothing to hold for.
/// </summary>
public sealed record MigrationUndoneByRestore(string Command, string Backup) : Compensation
{
    public override string Describe() => $"'{Command}' is undone by the restore of {Backup}, recorded before it";
}

public sealed class MigrationUndoneByRestoreHandler : CompensationHandler<MigrationUndoneByRestore>
{
    protected override Task ApplyAsync(MigrationUndoneByRestore compensation, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>A schema migration with no automatic way back: a failure after it holds the run (see Compensation.Irreversible).</summary>
public sealed record IrreversibleMigration(string? Before, string Command, string? Backup) : Compensation
{
    public override bool Irreversible => true;

    public override string Describe() =>
        $"schema migrated from {Before ?? "(none)"} by '{Command}': restore {Backup ?? "the pre-upgrade backup"} with --target=FullRollback";
}

public sealed class IrreversibleMigrationHandler : CompensationHandler<IrreversibleMigration>
{
    protected override Task ApplyAsync(IrreversibleMigration compensation, CancellationToken cancellationToken) =>
        throw new InvalidOperationException(compensation.Describe());
}

/// <summary>Undoes a reversible migration by running its downgrade in the API pod (alembic downgrade &lt;revision before&gt;).</summary>
public sealed record DowngradeMigration(string Deployment, string Namespace, IReadOnlyList<string> Command) : Compensation
{
    public override string Describe() => $"kubectl exec deployment/{Deployment} -n {Namespace} -- {string.Join(' ', Command)}";
}

public sealed class DowngradeMigrationHandler(DeployContext context) : CompensationHandler<DowngradeMigration>
{
    // Downgrading to a revision the database is already at does nothing, so this is idempotent.
    protected override async Task ApplyAsync(DowngradeMigration compensation, CancellationToken cancellationToken)
    {
        var result = await context.Cluster.InNamespace(compensation.Namespace).Pods
            .ExecAsync(new TwisterLab.Cake.Cluster.ExecRequest(compensation.Deployment, compensation.Command), cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{string.Join(' ', compensation.Command)}' exited {result.ExitCode}: {result.Stderr.Trim()}");
        }
    }
}
