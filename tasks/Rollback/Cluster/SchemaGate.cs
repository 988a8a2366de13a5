using Cake.Core.Diagnostics;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Cluster.Postgres;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Rollback.Data;
using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake.Rollback.Cluster;

/// <summary>
/// How a compensation reaches the application's database without a live context: directly (the address sealed with
/// the run's key) or through the postgres pod, as the run reached it.
/// </summary>
public sealed record SchemaReach(string? ServerProtected, PodDatabase? InPod)
{
    public static SchemaReach For(DeployContext context) => context.Postgres.IsDirect
        ? new(context.SecretStash.Protect(context.Database.ConnectionString), null)
        : new(null, context.Postgres.InPod.Database);
}

/// <summary>
/// What the gate needs to decide whether <paramref name="Image"/> may be put back: the image, the deployment whose
/// env its <c>alembic</c> Job borrows, the database, and whether the run recorded an undo of the schema that will run
/// after the image's (a downgrade or a restore): then the schema follows the image back and the gate lets it pass.
/// </summary>
public sealed record SchemaCheck(string Image, string Deployment, string? Container, SchemaReach Database, bool SchemaFollows, string? Backup)
{
    /// <summary>The check for putting <paramref name="image"/> back on the run's API deployment, recorded before the change.</summary>
    public static SchemaCheck For(DeployContext context, string image) =>
        new(image, context.Deployment, context.Container, SchemaReach.For(context), SchemaUndoRecorded(context), context.LastBackup);

    private static bool SchemaUndoRecorded(DeployContext context) =>
        context.Journal?.PendingInReverse.Any(entry => entry.Kind is nameof(DowngradeMigration) or nameof(MigrationUndoneByRestore) or nameof(RestoreDatabaseFromBackup)) == true;
}

/// <summary>The revisions an image's migrations know (<c>alembic history</c>) and its heads.</summary>
public sealed record KnownRevisions(string Image, IReadOnlyList<string> All, IReadOnlyList<string> Heads)
{
    /// <summary>Reads Alembic's history lines ("&lt;down&gt; -&gt; &lt;rev&gt; (head), message").</summary>
    public static KnownRevisions Parse(string image, IEnumerable<string> lines)
    {
        var all = new List<string>();
        var heads = new List<string>();
        foreach (var line in lines)
        {
            var arrow = line.IndexOf("-> ", StringComparison.Ordinal);
            if (arrow < 0)
            {
                continue;
            }

            var rest = line[(arrow + 3)..];
            var revision = rest.Split([' ', ','], 2)[0].Trim();
            all.Add(revision);
            if (rest.Contains("(head)", StringComparison.Ordinal))
            {
                heads.Add(revision);
            }
        }

        return new KnownRevisions(image, all, heads);
    }

    public string Describe() => All.Count == 0 ? "no revision" : $"{string.Join(", ", All)} (head {string.Join(",", Heads)})";
}

/// <summary>
/// Asks an image which schema revisions it knows: <c>alembic history</c> in a short Job with that image and the API
/// pod's env (not <c>alembic heads</c> alone: the heads cannot tell a revision the image passed from one it never saw).
/// Asked once per image and namespace within a run.
/// </summary>
public sealed class ImageRevisions(Lazy<ClusterGateway> lazyCluster, ICakeLog log)
{
    // Lazy: a step that takes this is built for every target, and only a run that asks may need a cluster.
    private ClusterGateway cluster => lazyCluster.Value;

    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly Dictionary<string, KnownRevisions> _known = new(StringComparer.Ordinal);

    public static IReadOnlyList<string> Command { get; } = ["alembic", "history"];

    public string Describe(string @namespace, string deployment, string image, string why) =>
        cluster.InNamespace(@namespace).Jobs.DescribeRun(new JobRequest("twisterlab-revisions-<id>", deployment, null, image, Command, Timeout), why);

    public async Task<KnownRevisions> OfAsync(string @namespace, string deployment, string? container, string image, CancellationToken cancellationToken)
    {
        var key = $"{@namespace}/{image}";
        if (_known.TryGetValue(key, out var known))
        {
            return known;
        }

        var jobs = cluster.InNamespace(@namespace).Jobs;
        var name = Jobs.NameFor("twisterlab-revisions");
        try
        {
            var result = await jobs.RunAsync(new JobRequest(name, deployment, container, image, Command, Timeout), null, cancellationToken);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException($"could not ask {image} which schema revisions it knows (job/{name}: {result.Reason}{LastLine(result.Logs)})");
            }

            known = KnownRevisions.Parse(image, result.Logs);
            log.Verbose("{0} knows {1}.", image, known.Describe());
            return _known[key] = known;
        }
        finally
        {
            // A question, not a change: its Job goes as soon as it answered (or failed to).
            await jobs.DeleteAsync(name, CancellationToken.None);
        }
    }

    private static string LastLine(IReadOnlyList<string> logs) => logs.Count == 0 ? string.Empty : $": {logs[^1]}";
}

/// <summary>
/// The rule for revisions written outside the application (MigrateToMultiTenant's add_tenant_support): every image
/// deployed after them must carry them, because Alembic cannot even read a database whose revision its image lacks.
/// The tool never mounts such a revision into a later migration or gate Job: that would hide an image built without it.
/// </summary>
public static class RevisionAdvice
{
    public static string ForUnknown(IEnumerable<string> revisions) => revisions.Contains(AlembicTenantRevision.Revision)
        ? $" The database is at {AlembicTenantRevision.Revision}, the revision MigrateToMultiTenant wrote (the run folder's alembic/{AlembicTenantRevision.FileName}): " +
          "commit it to the application's alembic/versions, make the next migration revise it, and build the image again."
        : string.Empty;
}

/// <summary>An image is not put back: the schema is ahead of it. A hold (exit 3), never an undo that half-switches.</summary>
public sealed class SchemaAheadOfImageException(string reason) : HoldException(reason);

/// <summary>
/// Before an image is put back: the database's current revision must be one the image knows, unless the run will put
/// the schema back itself. Otherwise hold, naming the downgrade to run first or the FullRollback that restores the
/// database along with the image.
/// </summary>
public sealed class SchemaGate(ImageRevisions images, Lazy<ClusterGateway> lazyCluster, SecretStash stash)
{
    private ClusterGateway cluster => lazyCluster.Value;

    public async Task CheckAsync(SchemaCheck check, string @namespace, CancellationToken cancellationToken)
    {
        if (check.SchemaFollows)
        {
            return;
        }

        var current = await CurrentRevisionAsync(check.Database, @namespace, cancellationToken);
        if (current.Count == 0)
        {
            return;
        }

        var known = await images.OfAsync(@namespace, check.Deployment, check.Container, check.Image, cancellationToken);
        var unknown = current.Where(revision => !known.All.Contains(revision)).ToList();
        if (unknown.Count == 0)
        {
            return;
        }

        var downgradeTo = known.Heads.Count == 0 ? "base" : string.Join(" ", known.Heads);
        throw new SchemaAheadOfImageException(
            $"the schema ({string.Join(",", current)}) is ahead of {check.Image}, which knows {known.Describe()}: the image is not put back. " +
            $"Run 'alembic downgrade {downgradeTo}' with the running image (kubectl exec deployment/{check.Deployment} -n {@namespace} -- alembic downgrade {downgradeTo}) and roll back again, " +
            $"or restore the database with the image: --target=FullRollback{(check.Backup is null ? string.Empty : $" --backup={check.Backup}")}.{RevisionAdvice.ForUnknown(unknown)}");
    }

    /// <summary>The plan line of the gate: the image asked which revisions it knows.</summary>
    public string Describe(DeployContext context, string deployment, string image) =>
        images.Describe(context.Settings.Namespace, deployment, image, $"{image} must know the database's revision, else hold");

    /// <summary>
    /// The gate inside a chain (Rollback, FullRollback, BlueGreenRollback), before it puts <paramref name="image"/>
    /// back: nothing of the run undoes the schema after it, so the schema must already suit the image, else the run holds.
    /// </summary>
    public async Task CheckBeforePuttingBackAsync(DeployContext context, string deployment, string image)
    {
        var check = SchemaCheck.For(context, image) with { Deployment = deployment, SchemaFollows = false };
        try
        {
            await CheckAsync(check, context.Settings.Namespace, context.CancellationToken);
        }
        catch (SchemaAheadOfImageException ahead)
        {
            throw context.Hold(ahead.Message);
        }
    }

    /// <summary>The database's alembic revision(s), read from alembic_version (none when it has no such table).</summary>
    public async Task<IReadOnlyList<string>> CurrentRevisionAsync(SchemaReach reach, string @namespace, CancellationToken cancellationToken)
    {
        string? revision;
        if (reach.ServerProtected is { } server)
        {
            revision = await SchemaVersion.ReadAsync(PostgresTarget.Parse(stash.Unprotect(server)), cancellationToken);
        }
        else
        {
            var inPod = reach.InPod ?? throw new InvalidOperationException("the record names no database to read the schema revision from");
            revision = (await new PodPostgres(cluster.InNamespace(inPod.Namespace).Pods, inPod).FactsAsync(cancellationToken: cancellationToken)).AlembicRevision;
        }

        return revision?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
    }
}
