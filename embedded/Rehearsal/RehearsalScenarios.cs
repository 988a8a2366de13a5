using k8s;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Rehearsal;

/// <summary>
/// Every target of the guide, in an order where each scenario starts from the world the previous one left: a held
/// upgrade and the FullRollback that repairs it, upgrades that succeed and their rollbacks, failures that must roll
/// back by themselves, the read-only checks, the component upgrades and migrations. Each states the world it must
/// leave; arguments the embedded world fills in per target come from <see cref="TargetDefaults"/>.
/// </summary>
public static class RehearsalScenarios
{
    public const string FaultyVersion = "v3-faulty";
    public const string DegradedVersion = "v2-degraded";
    public const string SlightlySlowerVersion = "v2-slower10";
    public const string MuchSlowerVersion = "v2-slower100";
    public const string UnpullableImage = "twisterlab-api:v3-typo";

    /// <summary>The exit code of a process killed with SIGKILL (128 + 9), as .NET reports it.</summary>
    public const int Killed = 137;

    private const string Api = "deployment/twisterlab-api";
    private const string Green = "deployment/twisterlab-api-v2-0";
    private const string ApiService = "service/twisterlab-api";
    private const string Held = "rolling upgrade: irreversible migration, then a failure after the new image: held";
    private const string BlueGreen = "blue-green to v2.0 with a 25 % canary";
    /// <summary>A failure after the new image is out: the image goes back first, then the schema (a downgrade with v2.1's image).</summary>
    public const string RolledBack = "rolling upgrade failing after the new image rolls back image and schema";
    private const string KilledRun = "rolling upgrade to v2.3 killed with SIGKILL";

    public static RehearsalOptions Options(string repositoryRoot) => new(repositoryRoot)
    {
        FaultyVersions = new HashSet<string> { FaultyVersion },
        DegradedVersions = new Dictionary<string, int> { [DegradedVersion] = 40 },  // 2.5 %: the matrix's "investigate"
        // Every request takes ~100 ms, so a slowdown is a share of something: 10 % slower is the matrix's "< 20 %", twice as slow its "≥ 20 %".
        BaseLatency = TimeSpan.FromMilliseconds(100),
        SlowVersions = new Dictionary<string, double> { [SlightlySlowerVersion] = 1.1, [MuchSlowerVersion] = 2.0 },
    };

    public static IReadOnlyList<Scenario> All() =>
    [
        new("rolling upgrade to an unpullable image: its migration job fails first, nothing changed", "RollingUpgrade", ["--image-tag=v3-typo"], ExitCodes.Failed, WorldExpectation.AsBefore)
        {
            Arrange = (world, _) => { world.Cluster.Faults.MakeImageUnpullable(UnpullableImage); return Task.CompletedTask; },
        },
        new(Held, "RollingUpgrade", ["--image-tag=v2.0", "--inject-failure=VerifyHealth"], ExitCodes.Held,
            WorldExpectation.Changed("held: schema migrated by v2.0's job, v2.0 kept for a person", ("alembic", "0002"), (Api, ":v2.0 ")).AllowingChangesTo("table/", Api)),
        new("full rollback of the held upgrade", "FullRollback", [], ExitCodes.Success, WorldExpectation.AsBeforeScenario(Held)),
        new("rolling upgrade to v2.0", "RollingUpgrade", ["--image-tag=v2.0"], ExitCodes.Success,
            WorldExpectation.Changed("upgraded to v2.0", (Api, ":v2.0 "), ("alembic", "0002")).AllowingChangesTo("table/"))
        {
            Watch = WatchRequests,
        },
        new("quick rollback over a schema v1 does not know: held", "Rollback", [], ExitCodes.Held, WorldExpectation.AsBefore),
        new("quick rollback after the downgrade the hold named", "Rollback", [], ExitCodes.Success,
            WorldExpectation.Changed("image back to v1 on v1's schema", (Api, ":v1 ")))
        {
            Arrange = async (world, token) => (await world.Gateway.Pods.ExecAsync(new ExecRequest("twisterlab-api", ["alembic", "downgrade", "0001_initial"]), token)).EnsureSuccess("alembic downgrade 0001_initial"),
        },
        new(RolledBack, "RollingUpgrade", ["--image-tag=v2.1", "--migrations-reversible", "--inject-failure=VerifyHealth"], ExitCodes.Failed, WorldExpectation.AsBefore),
        new("blue-green to a green that serves errors rolls back", "BlueGreenDeploy", [$"--image-tag={FaultyVersion}"], ExitCodes.Failed, WorldExpectation.AsBefore),
        new(BlueGreen, "BlueGreenDeploy", ["--image-tag=v2.0", "--canary=25"], ExitCodes.Success,
            WorldExpectation.Changed("traffic on green v2.0", (Green, ":v2.0 "), (ApiService, "version=v2.0")).AllowingChangesTo(Api))
        {
            Watch = WatchRequests,
        },
        new("blue-green rollback", "BlueGreenRollback", ["--image-tag=v2.0"], ExitCodes.Success, WorldExpectation.AsBeforeScenario(BlueGreen)),
        new("maintenance-window upgrade to v2.1", "MaintenanceUpgrade", ["--image-tag=v2.1"], ExitCodes.Success,
            WorldExpectation.Changed("upgraded to v2.1", (Api, ":v2.1 ")).AllowingChangesTo("table/", "alembic")),
        new("post-upgrade verification", "PostUpgradeVerify", [], ExitCodes.Success, WorldExpectation.AsBefore),
        new("monitor a healthy version", "Monitor", [], ExitCodes.Success, WorldExpectation.AsBefore),
        new("rolling upgrade to a version 10 % slower than the baseline: noted", "RollingUpgrade", [$"--image-tag={SlightlySlowerVersion}", "--migrations-reversible"], ExitCodes.Success,
            WorldExpectation.Changed("upgraded, the slowdown noted", (Api, $":{SlightlySlowerVersion} ")).AllowingChangesTo("table/", "alembic"))
        {
            Arrange = (world, token) => RunImageAsync(world, "v2.1", token),
        },
        new("rolling upgrade to a version twice as slow as the baseline rolls back", "RollingUpgrade", [$"--image-tag={MuchSlowerVersion}", "--migrations-reversible"], ExitCodes.Failed, WorldExpectation.AsBefore)
        {
            Arrange = (world, token) => RunImageAsync(world, "v2.1", token),
        },
        new("monitor a version failing 2.5 % of requests: degraded", "Monitor", [], ExitCodes.Degraded, WorldExpectation.AsBefore)
        {
            Arrange = (world, token) => RunImageAsync(world, DegradedVersion, token),
        },
        new("Redis upgrade (dump kept)", "RedisUpgrade", [], ExitCodes.Success,
            WorldExpectation.Changed("redis upgraded to redis:7.2-alpine, keys as before", ("deployment/redis", "redis:7.2-alpine"))),
        new(KilledRun, "RollingUpgrade", ["--image-tag=v2.3", "--migrations-reversible", "--monitor-window=120s"], Killed,
            WorldExpectation.Changed("left half done: v2.3 running", (Api, ":v2.3 ")).AllowingChangesTo("table/", "alembic"))
        {
            Arrange = (world, token) => RunImageAsync(world, "v2.1", token),
            Run = ScenarioRun.KilledMidRun,
        },
        new("Rollback --run=latest finishes the killed run", "Rollback", ["--run=latest"], ExitCodes.Success, WorldExpectation.AsBeforeScenario(KilledRun))
        {
            // The killed run's lock would hold the namespace for its lease's 60 s: released as a person would,
            // kubectl delete lease twisterlab-upgrade-lock, once sure its holder is dead.
            Arrange = (world, token) => world.Gateway.Client.CoordinationV1.DeleteNamespacedLeaseAsync(RunLock.LeaseName, RehearsalEnvironment.Namespace, cancellationToken: token),
        },
        new("production without --confirm is refused", "RollingUpgrade", ["--image-tag=v2.4", "--environment=production"], ExitCodes.BadInput, WorldExpectation.AsBefore)
        {
            Run = ScenarioRun.Process,
        },
        new("staging rehearsal: anonymized refresh, upgrade to v2.2, tests", "StagingRehearsal", ["--image-tag=v2.2"], ExitCodes.Success,
            WorldExpectation.Changed("staging refreshed and upgraded to v2.2", (Api, ":v2.2 ")).AllowingChangesTo("table/", "alembic")),
        new("SQLite to PostgreSQL", "MigrateSqliteToPostgres", [], ExitCodes.Success,
            WorldExpectation.Changed("SQLite tables imported, API pointed at PostgreSQL", ("table/public.legacy_notes", "rows=3 "), ("table/public.legacy_settings", "rows=2 "))
                .AllowingChangesTo("secret/")),
        new("PostgreSQL major upgrade to a new server, a writer throughout", "PostgresMajorUpgrade", [], ExitCodes.Success,
            WorldExpectation.Changed("postgres-16 serves the API", ("deployment/postgres-16", "postgres:16"), ("service/postgres-16", "app=postgres-16"))
                .AllowingChangesTo("secret/", Api, "table/public." + RehearsalWriter.Table))
        {
            Watch = async (world, _, token) => await RehearsalWriter.StartAsync(world, token),
        },
        new("cluster upgrade, worker by worker", "ClusterUpgrade", [], ExitCodes.Success,
            WorldExpectation.Changed("workers on kubelet v" + TargetDefaults.UpgradedKubernetes, ("node/twisterlab-worker", "kubelet=v" + TargetDefaults.UpgradedKubernetes + " unschedulable=False"),
                ("node/twisterlab-worker2", "kubelet=v" + TargetDefaults.UpgradedKubernetes + " unschedulable=False"))),
        new("blue-green to v2.0 again (blue retired last: later chains need it)", "BlueGreenDeploy", ["--image-tag=v2.0"], ExitCodes.Success,
            WorldExpectation.Changed("traffic on green v2.0", (Green, ":v2.0 "), (ApiService, "version=v2.0")).AllowingChangesTo(Api))
        {
            Watch = WatchRequests,
        },
        new("blue-green cleanup", "BlueGreenCleanup", [], ExitCodes.Success, WorldExpectation.Changed("blue deleted, green serves", (Api, null))),
        // Last of the shared world: afterwards the database is at add_tenant_support, which no stand-in image carries
        // (as no real image does until the revision is committed), so a later migration would rightly stop.
        new("multi-tenant migration", "MigrateToMultiTenant", [], ExitCodes.Success,
            WorldExpectation.Changed("tenant_id added, alembic at add_tenant_support", ("alembic", AlembicTenantRevision.Revision)).AllowingChangesTo("table/")),
        new("Docker Compose to Kubernetes, into an empty namespace", "MigrateComposeToKubernetes", [], ExitCodes.Success,
            WorldExpectation.Changed("installed from k8s/ with the Compose data", (Api, ":v1 "), ("deployment/postgres", "postgres:15"), ("table/public.tickets", "rows="))
                .AllowingChangesTo("deployment/", "service/", "secret/", "table/", "alembic"))
        {
            EmptyNamespace = true,
        },
    ];

    /// <summary>The synthetic traffic through a healthy upgrade: every request must succeed.</summary>
    private static Task<IScenarioWatch> WatchRequests(RehearsalEnvironment world, SyntheticTraffic? traffic, CancellationToken cancellationToken) =>
        Task.FromResult<IScenarioWatch>(new TrafficWatch(traffic ?? throw new InvalidOperationException("a request watch needs the shared world's traffic")));

    /// <summary>Puts a version on the API deployment outside any run (what a previous release left), and waits for it.</summary>
    private static async Task RunImageAsync(RehearsalEnvironment world, string tag, CancellationToken cancellationToken)
    {
        const string name = "twisterlab-api";
        await world.Gateway.Deployments.SetImageAsync(name, "twisterlab-api", $"twisterlab-api:{tag}", cancellationToken);
        await world.Gateway.Deployments.WaitForRolloutAsync(name, new RolloutWaitOptions(TimeSpan.FromSeconds(30)), cancellationToken);
    }
}
