using System.Text.Json.Nodes;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Cluster;
using TwisterLab.Cake.Rollback.Data;

namespace TwisterLab.Cake.Steps.MultiTenant;

/// <summary>
/// The guide's steps 1–3 through Alembic, so the application's migration history knows tenant_id exists: the revision
/// add_tenant_support is written (down_revision = the database's revision) into the run folder, for the user to commit
/// to the application; the running image does not carry it, so a Job with that image mounts it from a ConfigMap into
/// the image's version folder and runs <c>alembic upgrade add_tenant_support</c>. The columns exist already
/// (MigrateTenants), so the revision's idempotent statements only move alembic_version. Undo: <c>alembic downgrade
/// &lt;before&gt;</c> the same way (a real downgrade: indexes and columns dropped), then the Job and ConfigMap deleted.
/// </summary>
[TaskDescription("Guide steps 1-3 through Alembic: the revision add_tenant_support written for the app's alembic/versions, mounted from a ConfigMap into a Job with the running image: alembic upgrade add_tenant_support (undo: alembic downgrade <revision before>).")]
[IsDependentOn(typeof(MigrateTenants))]
public sealed class ApplyTenantRevision(SchemaGate gate) : DeployStep, INeedDirectDatabase
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(10);
    private static readonly string[] Upgrade = ["alembic", "upgrade", AlembicTenantRevision.Revision];

    public override IEnumerable<string> Plan(DeployContext context)
    {
        var file = RevisionFile(context);
        yield return $"write {context.Shown(file)}   # down_revision = the database's revision; commit it to the app's alembic/versions";
        yield return context.Cluster.Jobs.DescribeCreateConfigMap("twisterlab-tenant-revision-<id>", context.Shown(file));
        yield return context.Cluster.Jobs.DescribeRun(Request(context, "twisterlab-tenant-revision-<id>", "<running-image>", "twisterlab-tenant-revision-<id>"),
            $"the image deployment/{context.Deployment} runs, with its env; {AlembicTenantRevision.FileName} mounted at {MountPath(context)}");
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var before = await SchemaVersion.ReadAsync(context.Database, context.CancellationToken);
        if (before == AlembicTenantRevision.Revision)
        {
            context.Log.Information("alembic is at {0} already: nothing to apply.", before);
            return;
        }

        var options = new TenantMigrationOptions();
        var tables = await new TenantMigrator().TablesAsync(context.Database, options, context.CancellationToken);
        var file = AlembicTenantRevision.Write(Path.GetDirectoryName(RevisionFile(context))!, before, options.Schema, tables, options.DefaultTenant, options.LockTimeout);
        var image = await RunningImageAsync(context);
        var name = Jobs.NameFor("twisterlab-tenant-revision");
        var mounted = new JobFile(name, AlembicTenantRevision.FileName, MountPath(context));

        context.Record(Name, new DeleteCreatedObject("ConfigMap", context.Settings.Namespace, name));
        await context.Cluster.Jobs.CreateConfigMapAsync(name, new Dictionary<string, string> { [AlembicTenantRevision.FileName] = await File.ReadAllTextAsync(file, context.CancellationToken) }, context.CancellationToken);
        context.Record(Name, new DeleteCreatedObject("Job", context.Settings.Namespace, name));
        context.Record(Name, new DowngradeMigration(context.Deployment, context.Settings.Namespace, ["alembic", "downgrade", before ?? "base"], image, context.Container,
            SchemaReach.For(context), before, [mounted]));

        var job = await context.Cluster.Jobs.RunAsync(Request(context, name, image, name), line => context.Log.Information("  {0}", line), context.CancellationToken);
        var after = string.Join(",", await gate.CurrentRevisionAsync(SchemaReach.For(context), context.Settings.Namespace, context.CancellationToken));
        if (!job.Succeeded || after != AlembicTenantRevision.Revision)
        {
            throw new InvalidOperationException($"'{string.Join(' ', Upgrade)}' with {image} left the database at {(after.Length == 0 ? "(none)" : after)}: job/{name} {job.Reason}" +
                $"{(job.Logs.Count == 0 ? string.Empty : $"; last line: {job.Logs[^1]}")} (is {MountPath(context)} the image's Alembic version folder? --alembic-versions-path)");
        }

        context.Log.Information("alembic {0} -> {1}; revision written to {2}.", before ?? "(none)", after, context.Shown(file));
        context.Notes.Add($"Commit {context.Shown(file)} to the application's alembic/versions and make the next migration revise it (down_revision = \"{AlembicTenantRevision.Revision}\"): " +
            $"the database is at {AlembicTenantRevision.Revision}, and an image without it cannot migrate or be rolled back to.");
        context.Recorder.Fact("tenantRevision", new JsonObject { ["revision"] = after, ["downRevision"] = before, ["file"] = context.Shown(file), ["image"] = image, ["job"] = name });
    }

    private static JobRequest Request(DeployContext context, string name, string image, string configMap) =>
        new(name, context.Deployment, context.Container, image, Upgrade, JobTimeout, [new JobFile(configMap, AlembicTenantRevision.FileName, MountPath(context))]);

    private static string MountPath(DeployContext context) => $"{context.Settings.AlembicVersionsPath.TrimEnd('/')}/{AlembicTenantRevision.FileName}";

    private static string RevisionFile(DeployContext context) => Path.Combine(context.Runs.FolderOf(context.RunId), "alembic", AlembicTenantRevision.FileName);

    /// <summary>The image the API runs now: its migrations are the database's, and the revision goes on top of them.</summary>
    private static async Task<string> RunningImageAsync(DeployContext context)
    {
        var spec = (await context.Cluster.Deployments.GetAsync(context.Deployment, context.CancellationToken)).Spec.Template.Spec;
        return (spec.Containers.FirstOrDefault(container => container.Name == context.Container) ?? spec.Containers[0]).Image;
    }
}
