using System.Diagnostics;
using TwisterLab.Cake.Cluster.Postgres;
using TwisterLab.Cake.Data;
using System.Text.Json.Nodes;
using TwisterLab.Cake.Progress;
using TwisterLab.Cake.Tools;

namespace TwisterLab.Cake.Context;

/// <summary>
/// The two ways a run reaches PostgreSQL for backups and restores: directly when <c>--database-url</c> is given,
/// otherwise the guide's way, exec into <c>deployment/&lt;profile's postgres deployment&gt;</c> in the run's namespace.
/// Steps and compensations call this and never choose themselves, so both paths stay alike (verify, integrity check).
/// </summary>
public sealed class DatabaseAccess(DeployContext context)
{
    private const int Compression = 1; // BackupOptions' default; see BackupOptions.DefaultsReason

    /// <summary>True when --database-url is given: pg_dump/pg_restore run on this machine.</summary>
    public bool IsDirect => context.Settings.DatabaseUrl is not null;

    public string Name => IsDirect ? context.Database.Database : context.Settings.Profile.DatabaseName;

    public PodPostgres InPod => new(context.Cluster.Pods, new PodDatabase(
        context.Settings.Profile.PostgresDeployment, context.Settings.Namespace, context.Settings.Profile.DatabaseUser, context.Settings.Profile.DatabaseName));

    /// <summary>
    /// Where a backup named <paramref name="stem"/> goes: direct backups are folders (directory format, a job per
    /// core: several times faster than the guide's -Fc), backups through exec the guide's single <c>.dump</c> file.
    /// </summary>
    public string BackupPath(string stem) => Path.Combine(context.Settings.BackupDir, IsDirect ? stem : stem + ".dump");

    /// <summary>Where the direct tools connect, as an operator would type it (the password is never on a command line).</summary>
    private string Connection => $"-h {context.Database.Host} -p {context.Database.Port} -U {context.Database.Username}";

    private const string PasswordNote = "password from PGPASSWORD";

    /// <summary>The backup's command line, with <paramref name="why"/> as a comment.</summary>
    public string DescribeBackup(string shownPath, string? why = null)
    {
        var command = IsDirect
            ? $"pg_dump {Connection} -Fd -j$(nproc) -Z{Compression} -f {shownPath} {context.Database.Database}"
            : InPod.DescribeDump(shownPath, Compression);
        string?[] notes = [IsDirect ? PasswordNote : "rows counted in the dump's own snapshot", why];
        var comment = string.Join("; ", notes.OfType<string>());
        return comment.Length == 0 ? command : $"{command}   # {comment}";
    }

    /// <summary>The restore's command line: a <c>.dump</c> file in one transaction, a directory-format folder with a job per core.</summary>
    public string DescribeRestore(string shownPath) => IsDirect
        ? $"pg_restore {Connection} --clean --if-exists {(shownPath.EndsWith(".dump", StringComparison.Ordinal) ? "--single-transaction" : "-j$(nproc)")} -d {context.Database.Database} {shownPath}   # {PasswordNote}"
        : InPod.DescribeRestore(shownPath, context.Settings.Profile.DatabaseName);

    public string DescribeVerify(string shownPath, bool restoreTest)
    {
        var restore = !restoreTest ? string.Empty
            : IsDirect ? "; then a restore test into a scratch database" : "; then a restore test into a scratch database in the pod";
        return $"pg_restore --list {shownPath}   # verify, with the manifest's sha256{restore}";
    }

    /// <summary>A backup of the database as it is now (direct: directory format, a job per core; exec: custom format; level 1), with its manifest.</summary>
    public async Task<BackupResult> BackupAsync(string path, CancellationToken? cancellationToken = null)
    {
        var token = cancellationToken ?? context.CancellationToken;
        using var progress = context.Progress?.Start($"backup of {Name}", ProgressUnit.Bytes);
        var result = await (IsDirect
            ? new PostgresBackupGateway().BackupAsync(context.Database, new BackupOptions(path) { Format = PgDumpFormat.Directory, Jobs = BackupOptions.DirectJobs, Cluster = context.BindingToRecord(), Progress = progress }, token)
            : new PostgresBackupGateway().BackupAsync(InPod.Dump(Compression), new BackupOptions(path) { Compression = Compression, Cluster = context.BindingToRecord(), Progress = progress }, token));
        context.Recorder.Fact("backup", BackupFacts(result));
        return result;
    }

    private JsonObject BackupFacts(BackupResult result) => new()
    {
        ["file"] = context.Shown(result.Path),
        ["sizeBytes"] = result.Manifest.SizeBytes,
        ["sha256"] = result.Manifest.Sha256,
        ["format"] = result.Manifest.Format,
        ["compression"] = result.Manifest.Compression,
        ["tables"] = result.Manifest.TableRows.Count,
        ["rows"] = result.Manifest.TableRows.Values.Sum(),
        ["alembicRevision"] = result.Manifest.AlembicRevision,
        ["durationSeconds"] = Math.Round(result.Manifest.DurationSeconds, 3),
        ["via"] = IsDirect ? "direct" : "exec",
        ["phases"] = Phases(result.PhaseSeconds ?? []),
    };

    private static JsonArray Phases(IEnumerable<(string Name, double Seconds)> phases) =>
        new([.. phases.Select(phase => new JsonObject { ["name"] = phase.Name, ["seconds"] = phase.Seconds })]);

    /// <summary>
    /// Checksum and <c>pg_restore --list</c> here (the archive is a local file on both paths); with
    /// <paramref name="restoreTest"/> a restore into a scratch database, on the server or in the pod.
    /// </summary>
    public async Task<BackupManifest> VerifyAsync(string path, bool restoreTest = false)
    {
        var gateway = new PostgresBackupGateway();
        if (IsDirect)
        {
            var timed = Stopwatch.StartNew();
            var verified = await gateway.VerifyAsync(path, restoreTest ? new VerifyOptions { RestoreInto = context.Database.Maintenance } : null, context.CancellationToken);
            context.Recorder.Fact("verified", new JsonObject { ["file"] = context.Shown(path), ["sha256"] = verified.Sha256, ["restoreTest"] = restoreTest, ["seconds"] = Math.Round(timed.Elapsed.TotalSeconds, 3) });
            return verified;
        }

        // The operator may have kubectl and nothing else: then the pod's pg_restore lists the archive.
        var inPodList = PgToolLocator.IsAvailable("pg_restore") ? null : new VerifyOptions { ListArchive = InPod.ListArchiveAsync };
        var manifest = await gateway.VerifyAsync(path, inPodList, context.CancellationToken);
        if (restoreTest)
        {
            await InPod.RestoreTestAsync(path, context.CancellationToken);
        }

        context.Recorder.Fact("verified", new JsonObject { ["file"] = context.Shown(path), ["sha256"] = manifest.Sha256, ["restoreTest"] = restoreTest });
        return manifest;
    }

    /// <summary>
    /// Verifies the backup <see cref="BackupAsync"/> just wrote, as <see cref="VerifyAsync(string, bool)"/> does but
    /// without reading it again to hash it: its SHA-256 was taken from the bytes as they were written; sizes, the
    /// file list and <c>pg_restore --list</c> are checked here, the full SHA-256 again whenever it is restored.
    /// </summary>
    public async Task<BackupManifest> VerifyAsync(BackupResult justWritten, bool restoreTest = false)
    {
        var gateway = new PostgresBackupGateway();
        if (IsDirect)
        {
            var timed = Stopwatch.StartNew();
            var verified = await gateway.VerifyJustWrittenAsync(justWritten, restoreTest ? new VerifyOptions { RestoreInto = context.Database.Maintenance, Jobs = BackupOptions.DirectJobs } : null, context.CancellationToken);
            context.Recorder.Fact("verifySeconds", Math.Round(timed.Elapsed.TotalSeconds, 3));
            return verified;
        }

        var inPodList = PgToolLocator.IsAvailable("pg_restore") ? null : new VerifyOptions { ListArchive = InPod.ListArchiveAsync };
        var manifest = await gateway.VerifyJustWrittenAsync(justWritten, inPodList, context.CancellationToken);
        if (restoreTest)
        {
            await InPod.RestoreTestAsync(justWritten.Path, context.CancellationToken);
        }

        return manifest;
    }

    /// <summary>
    /// Restores over the existing database, then checks the row counts against the backup's manifest. Returns the
    /// tables checked. A compensation passes the rollback's own token (the run's may be cancelled already).
    /// </summary>
    /// <param name="exactly">Also drop the tables the backup does not have (created after it).</param>
    public async Task<int> RestoreAsync(string path, bool exactly = false, CancellationToken? cancellationToken = null)
    {
        var token = cancellationToken ?? context.CancellationToken;
        // pg_restore reads the file itself on the direct path: a wait with a heartbeat; through exec, the bytes sent.
        using var progress = context.Progress?.Start($"restore of {Path.GetFileName(path)} into {Name}", IsDirect ? ProgressUnit.None : ProgressUnit.Bytes, IsDirect ? null : ArchiveBytes(path));
        if (IsDirect)
        {
            // A folder restores with a job per core (not one transaction): the caller holds the safety backup that undoes a half restore.
            var restored = await new PostgresRestoreGateway().RestoreAsync(context.Database, path,
                new RestoreOptions { IntoExistingDatabase = true, DropTablesNotInBackup = exactly, Jobs = Directory.Exists(path) ? BackupOptions.DirectJobs : 1 }, token);
            context.Recorder.Fact("restored", new JsonObject { ["file"] = context.Shown(path), ["tables"] = restored.After.Tables.Count, ["via"] = "direct", ["phases"] = Phases(restored.Phases) });
            return restored.After.Tables.Count;
        }

        if (Directory.Exists(path))
        {
            throw new DataOperationException($"{path} is a directory-format backup (taken with --database-url): it cannot be streamed into the pod; restore it with --database-url.");
        }

        var facts = await InPod.RestoreAsync(path, dropTablesNotInBackup: exactly, cancellationToken: token, progress: progress);
        context.Recorder.Fact("restored", new JsonObject { ["file"] = context.Shown(path), ["tables"] = facts.TableRows.Count, ["rows"] = facts.TableRows.Values.Sum(), ["via"] = "exec" });
        return facts.TableRows.Count;
    }

    private static long? ArchiveBytes(string path) => File.Exists(path) ? new FileInfo(path).Length : null;
}
