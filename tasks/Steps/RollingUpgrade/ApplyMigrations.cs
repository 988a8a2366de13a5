using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Rollback.Cluster;
using TwisterLab.Cake.Rollback.Data;

namespace TwisterLab.Cake.Steps.RollingUpgrade;

/// <summary>
/// Runs the schema migration before the rollout, by default in a Job with the NEW image (only it carries the new
/// migrations: the guide's exec into the running pod runs the old image's, a no-op) and the API pod's env, secrets and
/// service account, and checks that the database reached the new image's head. What can undo it is recorded first:
/// the Job's deletion, then the downgrade when --migrations-reversible; nothing when the run already restores the
/// whole database on failure (a refreshed staging copy); otherwise a mark that makes a later failure hold instead of
/// undoing. --migrate-in=running-pod keeps the guide's exec form.
/// </summary>
[TaskDescription("Guide: alembic upgrade head — here in a Job with the new image (kubectl create job … --image=<new> -- alembic upgrade head), the revision checked against the image's head; --migrate-in=running-pod: the guide's kubectl exec.")]
[IsDependentOn(typeof(BackupDatabase))]
public sealed class ApplyMigrations(ImageRevisions images, SchemaGate gate) : DeployStep, INeedImageTag
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(10);

    public override IEnumerable<string> Plan(DeployContext context)
    {
        if (context.Settings.MigrateInRunningPod)
        {
            yield return Exec(context, Words(context.Settings.MigrationCommand));
            yield return $"{Exec(context, ["alembic", "current"])}   # the revision must have moved";
            yield break;
        }

        yield return context.Cluster.Jobs.DescribeRun(Request(context, "twisterlab-migrate-<id>"));
        yield return images.Describe(context.Settings.Namespace, context.Deployment, context.NewImage, $"then the database must be at {context.NewImage}'s head");
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        if (context.Settings.MigrateInRunningPod)
        {
            await MigrateInRunningPodAsync(context);
            return;
        }

        var reach = SchemaReach.For(context);
        var before = Revision(await gate.CurrentRevisionAsync(reach, context.Settings.Namespace, context.CancellationToken));
        var name = Jobs.NameFor("twisterlab-migrate");
        context.Record(Name, new DeleteCreatedObject("Job", context.Settings.Namespace, name));
        context.Record(Name, Undo(context, before, context.NewImage));

        var job = await context.Cluster.Jobs.RunAsync(Request(context, name), line => context.Log.Information("  {0}", line), context.CancellationToken);
        if (!job.Succeeded)
        {
            if (!job.Started && context.Journal?.PendingInReverse.FirstOrDefault(entry => entry.Step == Name) is { } schemaUndo)
            {
                // The container never ran (its image could not be pulled): the schema is as it was, nothing to undo or hold for.
                context.Journal.MarkApplied(schemaUndo);
                context.Log.Information("The migration never started: the schema is untouched ({0}).", before ?? "no revision");
            }

            if (job.Started)
            {
                await RequireImageKnowsDatabaseAsync(context, reach, before, name);
            }

            throw new InvalidOperationException($"'{context.Settings.MigrationCommand}' with {context.NewImage} failed: job/{name} {job.Reason}{(job.Logs.Count == 0 ? string.Empty : $"; last line: {job.Logs[^1]}")}");
        }

        var after = Revision(await gate.CurrentRevisionAsync(reach, context.Settings.Namespace, context.CancellationToken));
        var known = await images.OfAsync(context.Settings.Namespace, context.Deployment, context.Container, context.NewImage, context.CancellationToken);
        if (after is null || !known.Heads.Contains(after))
        {
            throw new InvalidOperationException($"after '{context.Settings.MigrationCommand}' the schema is at {after ?? "(none)"}, not at {context.NewImage}'s head ({string.Join(",", known.Heads)})");
        }

        context.Log.Information("Schema revision: {0} -> {1} ({2}'s head)", before ?? "(none)", after, context.NewImage);
        context.Recorder.Fact("schemaRevision", new System.Text.Json.Nodes.JsonObject { ["before"] = before, ["after"] = after, ["image"] = context.NewImage, ["job"] = name });
    }

    /// <summary>
    /// A database at a revision the new image does not carry (e.g. MigrateToMultiTenant's, not yet committed to the
    /// application) stops alembic before it changes anything: then nothing is undone or held for, and the error says so.
    /// </summary>
    private async Task RequireImageKnowsDatabaseAsync(DeployContext context, SchemaReach reach, string? before, string job)
    {
        KnownRevisions known;
        try
        {
            known = await images.OfAsync(context.Settings.Namespace, context.Deployment, context.Container, context.NewImage, context.CancellationToken);
        }
        catch (InvalidOperationException)
        {
            return; // the image cannot be asked: the Job's own failure is the error to report
        }

        var unknown = (before ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries).Where(revision => !known.All.Contains(revision)).ToList();
        if (unknown.Count == 0 || Revision(await gate.CurrentRevisionAsync(reach, context.Settings.Namespace, context.CancellationToken)) != before)
        {
            return;
        }

        if (context.Journal?.PendingInReverse.FirstOrDefault(entry => entry.Step == Name && entry.Kind != nameof(DeleteCreatedObject)) is { } schemaUndo)
        {
            context.Journal.MarkApplied(schemaUndo);
        }

        throw new InvalidOperationException($"the database is at {string.Join(",", unknown)}, which {context.NewImage} does not carry (it knows {known.Describe()}): " +
            $"job/{job} could not migrate and changed nothing. The image must contain every revision the database has.{RevisionAdvice.ForUnknown(unknown)}");
    }

    private static JobRequest Request(DeployContext context, string name) =>
        new(name, context.Deployment, context.Container, context.NewImage, Words(context.Settings.MigrationCommand), JobTimeout);

    private static async Task MigrateInRunningPodAsync(DeployContext context)
    {
        var before = await CurrentRevisionAsync(context);
        context.Record(TaskCatalog.NameOf(typeof(ApplyMigrations)), Undo(context, before, image: null));

        var result = await context.Cluster.Pods.ExecAsync(new Cluster.ExecRequest(context.Deployment, Words(context.Settings.MigrationCommand)), context.CancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{context.Settings.MigrationCommand}' exited {result.ExitCode} in {result.Pod}: {LastLine(result.Stderr)}");
        }

        var after = await CurrentRevisionAsync(context);
        context.Log.Information("Schema revision: {0} -> {1}", before ?? "(none)", after ?? "(none)");
        context.Recorder.Fact("schemaRevision", new System.Text.Json.Nodes.JsonObject { ["before"] = before, ["after"] = after });
        if (after == before)
        {
            // The guide's flaw: the running pod has the OLD image, whose migrations are already applied.
            context.Log.Warning("'{0}' in the running pod changed nothing: it ran the running image's migrations, not {1}'s (the default --migrate-in=job runs the new image's).",
                context.Settings.MigrationCommand, context.NewImage);
        }
    }

    /// <param name="image">The image whose migrations ran: its Job runs the downgrade (null: exec in the running pod).</param>
    private static Compensation Undo(DeployContext context, string? before, string? image) => context switch
    {
        { Settings.MigrationsReversible: true } => new DowngradeMigration(context.Deployment, context.Settings.Namespace, Words(context.Settings.DowngradeCommand.Replace("{revision}", before ?? "base")), image, context.Container,
            image is null ? null : SchemaReach.For(context), before),
        { RestorePoint: { } backup } => new MigrationUndoneByRestore(context.Settings.MigrationCommand, backup),
        _ => new IrreversibleMigration(before, context.Settings.MigrationCommand, context.LastBackup),
    };

    private static string? Revision(IReadOnlyList<string> heads) => heads.Count == 0 ? null : string.Join(",", heads);

    /// <summary>The revision as <c>alembic current</c> prints it ("0002_x (head)" → "0002_x").</summary>
    public static async Task<string?> CurrentRevisionAsync(DeployContext context)
    {
        var result = await context.Cluster.Pods.ExecAsync(new Cluster.ExecRequest(context.Deployment, ["alembic", "current"]), context.CancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"'alembic current' exited {result.ExitCode}: {LastLine(result.Stderr)}");
        }

        var revision = result.Stdout.Trim().Split(' ', 2)[0];
        return revision.Length == 0 ? null : revision;
    }

    private static string Exec(DeployContext context, IReadOnlyList<string> command) =>
        context.Cluster.Pods.DescribeExec(new Cluster.ExecRequest(context.Deployment, command));

    private static string[] Words(string command) => command.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static string LastLine(string text) => text.Trim().Split('\n')[^1];
}
