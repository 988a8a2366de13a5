using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Probes;

namespace TwisterLab.Cake.Steps.PostgresUpgrade;

/// <summary>
/// The guide's "verify connectivity" (devops-toolkit -Action debug): DATABASE_URL names the new server, the new
/// server answers from inside its pod with the backup's schema revision, and the restarted API is healthy.
/// </summary>
[TaskDescription("Guide step 6: verify connectivity — DATABASE_URL names postgres-16, psql in its pod answers with the backup's alembic revision, the API's health answers 2xx.")]
public sealed class VerifyNewPostgres : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return context.Kubectl.Namespaced("get", $"secret/{context.Settings.AppSecret}", "-o", $"jsonpath={{.data.{PatchDatabaseUrl.Key}}}").ToString() + $"   # host must be {NewPostgres.Name(context)}";
        yield return context.Cluster.Pods.DescribeExec(Psql(context));
        yield return HttpProbe.Describe("GET", context.HealthUrl);
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var url = await context.Cluster.Secrets.ReadKeyAsync(context.Settings.AppSecret, PatchDatabaseUrl.Key, context.CancellationToken);
        if (url is null || NewPostgres.HostOf(url) != NewPostgres.Name(context))
        {
            throw new InvalidOperationException($"{PatchDatabaseUrl.Key} of secret/{context.Settings.AppSecret} points at {(url is null ? "nothing" : NewPostgres.HostOf(url))}, not {NewPostgres.Name(context)}.");
        }

        var expected = (await BackupManifest.ReadAsync(context.LastBackup!, context.CancellationToken)).AlembicRevision;
        var result = await context.Cluster.Pods.ExecAsync(Psql(context), context.CancellationToken);
        if (result.ExitCode != 0 || (expected is not null && result.Stdout.Trim() != expected))
        {
            throw new InvalidOperationException($"deployment/{NewPostgres.Name(context)}: psql exited {result.ExitCode} and answered '{result.Stdout.Trim()}' (expected alembic {expected ?? "(none)"}). {result.Stderr.Trim()}".Trim());
        }

        var health = await context.Http.WaitHealthyAsync(context.HealthUrl, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1), context.CancellationToken);
        if (!health.Ok)
        {
            throw new InvalidOperationException($"Health check failed: {health}. {health.Body}".Trim());
        }

        context.Log.Information("Connectivity: {0} answers alembic {1}; {2}", NewPostgres.Name(context), result.Stdout.Trim(), health);
    }

    private static ExecRequest Psql(DeployContext context) =>
        new(NewPostgres.Name(context), ["psql", "-U", context.Settings.Profile.DatabaseUser, "-d", context.Settings.Profile.DatabaseName, "-tAc", "SELECT version_num FROM alembic_version"]);
}
