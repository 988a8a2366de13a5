using Cake.Core.Diagnostics;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Cluster.Postgres;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Rollback.Cluster;
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

/// <summary>
/// Undoes a reversible migration by running its downgrade (alembic downgrade &lt;revision before&gt;): in a Job with
/// <paramref name="Image"/>, the image whose migrations ran (only it has their downgrade scripts, and by the time
/// this runs the deployment may be back on the old image), or, without one, in the API pod (--migrate-in=running-pod).
/// With <paramref name="Database"/>, a database still at <paramref name="Before"/> needs no downgrade (the migration
/// never ran: e.g. its image could not be pulled, and then neither could the downgrade's). <paramref name="Files"/>: the
/// revisions the image does not carry, mounted into the Job as they were for the upgrade (the tenant revision).
/// </summary>
public sealed record DowngradeMigration(string Deployment, string Namespace, IReadOnlyList<string> Command, string? Image = null, string? Container = null,
    SchemaReach? Database = null, string? Before = null, IReadOnlyList<JobFile>? Files = null) : Compensation
{
    public override string Describe() => Image is null
        ? $"kubectl exec deployment/{Deployment} -n {Namespace} -- {string.Join(' ', Command)}"
        : $"kubectl create job twisterlab-downgrade-<id> --image={Image} -n {Namespace} -- {string.Join(' ', Command)}   # with deployment/{Deployment}'s env" +
          string.Concat((Files ?? []).Select(file => $", configmap/{file.ConfigMap} mounted at {file.MountPath}"));
}

/// <param name="gate">Reads the database's revision when the record says how to reach it (null: always downgrade).</param>
public sealed class DowngradeMigrationHandler(ClusterGateway cluster, SchemaGate? gate = null) : CompensationHandler<DowngradeMigration>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    // The revision is read only to skip a downgrade that has nothing to do. A run's sealed address cannot be opened
    // without its key (a finished run's key is gone; a CI rollback job runs on another machine): then downgrade
    // anyway, the Job reaches the database through the API's own env.
    private static async Task<string?> RevisionAsync(SchemaGate gate, SchemaReach database, string @namespace, CancellationToken cancellationToken)
    {
        try
        {
            return string.Join(",", await gate.CurrentRevisionAsync(database, @namespace, cancellationToken));
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    // Downgrading to a revision the database is already at does nothing, so this is idempotent.
    protected override async Task ApplyAsync(DowngradeMigration compensation, CancellationToken cancellationToken)
    {
        if (compensation is { Database: { } database } && gate is not null
            && await RevisionAsync(gate, database, compensation.Namespace, cancellationToken) == (compensation.Before ?? string.Empty))
        {
            return;
        }

        if (compensation.Image is { } image)
        {
            var jobs = cluster.InNamespace(compensation.Namespace).Jobs;
            var name = Jobs.NameFor("twisterlab-downgrade");
            try
            {
                var job = await jobs.RunAsync(new JobRequest(name, compensation.Deployment, compensation.Container, image, compensation.Command, Timeout, compensation.Files), null, cancellationToken);
                if (!job.Succeeded)
                {
                    throw new InvalidOperationException($"'{string.Join(' ', compensation.Command)}' with {image} failed ({job.Reason}){(job.Logs.Count == 0 ? string.Empty : $": {job.Logs[^1]}")}");
                }
            }
            finally
            {
                await jobs.DeleteAsync(name, CancellationToken.None);
            }

            return;
        }

        var result = await cluster.InNamespace(compensation.Namespace).Pods
            .ExecAsync(new TwisterLab.Cake.Cluster.ExecRequest(compensation.Deployment, compensation.Command), cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{string.Join(' ', compensation.Command)}' exited {result.ExitCode}: {result.Stderr.Trim()}");
        }
    }
}
