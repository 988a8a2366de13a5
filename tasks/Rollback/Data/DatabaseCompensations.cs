using Cake.Core.Diagnostics;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Cluster.Postgres;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake.Rollback.Data;

/// <summary>
/// Puts the database back from a verified backup taken earlier in the run: directly (<paramref name="ServerProtected"/>,
/// the server's address sealed with the run's key) or by exec into the postgres deployment (<paramref name="InPod"/>,
/// the archive streamed into pg_restore's stdin), as the run reached it. The record says which, so a Rollback from
/// another invocation restores the same database whatever that invocation was given.
/// <paramref name="Exactly"/> also drops tables created after the backup (a refreshed staging copy brings its own).
/// </summary>
public sealed record RestoreDatabaseFromBackup(string BackupPath, string Database, bool Exactly = false, string? ServerProtected = null, PodDatabase? InPod = null) : Compensation
{
    public override string Describe() =>
        $"{(Exactly ? "DROP the tables the backup does not have; " : string.Empty)}pg_restore --clean --if-exists -d {Database} {BackupPath}{(InPod is null ? string.Empty : $"   # in {InPod.Where}")}";

    /// <summary>The record for the database the run reaches (<c>--database-url</c>, else the postgres pod).</summary>
    public static RestoreDatabaseFromBackup For(DeployContext context, string backupPath, bool exactly = false) =>
        context.Postgres.IsDirect
            ? new(backupPath, context.Database.Database, exactly, ServerProtected: context.SecretStash.Protect(context.Database.ConnectionString))
            : new(backupPath, context.Postgres.Name, exactly, InPod: context.Postgres.InPod.Database);
}

public sealed class RestoreDatabaseFromBackupHandler(ClusterGateway cluster, SecretStash stash, ICakeLog log) : CompensationHandler<RestoreDatabaseFromBackup>
{
    // Restoring the same backup twice leaves the same database, so this is idempotent.
    protected override async Task ApplyAsync(RestoreDatabaseFromBackup compensation, CancellationToken cancellationToken)
    {
        if (!File.Exists(compensation.BackupPath) && !Directory.Exists(compensation.BackupPath))
        {
            throw new InvalidOperationException($"the backup {compensation.BackupPath} is not on this machine: copy it there (with its .manifest.json) and run the Rollback again");
        }

        int tables;
        if (compensation.ServerProtected is { } server)
        {
            var target = PostgresTarget.Parse(stash.Unprotect(server)).WithDatabase(compensation.Database);
            var restored = await new PostgresRestoreGateway().RestoreAsync(target, compensation.BackupPath,
                new RestoreOptions { IntoExistingDatabase = true, DropTablesNotInBackup = compensation.Exactly }, cancellationToken);
            tables = restored.After.Tables.Count;
        }
        else
        {
            var inPod = compensation.InPod ?? throw new InvalidOperationException($"the record of {compensation.BackupPath} names no database to restore into (written by an older build): restore it by hand with --target=FullRollback --backup={compensation.BackupPath}");
            var facts = await new PodPostgres(cluster.InNamespace(inPod.Namespace).Pods, inPod).RestoreAsync(compensation.BackupPath, dropTablesNotInBackup: compensation.Exactly, cancellationToken: cancellationToken);
            tables = facts.TableRows.Count;
        }

        log.Information("Database restored from {0}: {1} tables checked.", compensation.BackupPath, tables);
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

public sealed class DowngradeMigrationHandler(ClusterGateway cluster) : CompensationHandler<DowngradeMigration>
{
    // Downgrading to a revision the database is already at does nothing, so this is idempotent.
    protected override async Task ApplyAsync(DowngradeMigration compensation, CancellationToken cancellationToken)
    {
        var result = await cluster.InNamespace(compensation.Namespace).Pods
            .ExecAsync(new TwisterLab.Cake.Cluster.ExecRequest(compensation.Deployment, compensation.Command), cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{string.Join(' ', compensation.Command)}' exited {result.ExitCode}: {result.Stderr.Trim()}");
        }
    }
}
