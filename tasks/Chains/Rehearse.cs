using System.Diagnostics;
using System.Text;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rehearsal;

namespace TwisterLab.Cake.Chains;

/// <summary>
/// Every core procedure against the embedded cluster, with throwaway PostgreSQL and Redis and the stand-in API:
/// an upgrade that succeeds, one to an unpullable image that rolls back by itself, a blue-green whose green serves
/// errors (the decision matrix rolls it back), a maintenance upgrade. Each runs as a pipeline would run it, with
/// its own report; the summary says whether each ended as a correct tool must.
/// </summary>
[TaskDescription("Rehearses the procedures end to end on the embedded cluster with real PostgreSQL and Redis (--cluster=kind: on kind, where Docker exists).")]
public sealed class Rehearse : AsyncFrostingTask<DeployContext>
{
    private const string FaultyVersion = "v3-faulty";

    public override async Task RunAsync(DeployContext context)
    {
        if (context.Settings.ClusterKind == "kind")
        {
            throw new BadInputException("--cluster=kind is not available: a kind rehearsal needs kind, a running Docker engine and the TwisterLab images; run ./build.sh --target=Rehearse for the embedded cluster.");
        }

        var root = context.Environment.WorkingDirectory.FullPath;
        await using var environment = await RehearsalEnvironment.StartAsync(
            new RehearsalOptions(root) { FaultyVersions = new HashSet<string> { FaultyVersion } }, context.CancellationToken);
        using var traffic = SyntheticTraffic.Start(environment.Api.BaseUrl);
        var results = new List<ScenarioResult>();
        var newPostgres = await environment.StartNewPostgresAsync(context.CancellationToken);
        var production = await environment.CreateProductionDatabaseAsync(context.CancellationToken);
        var kubectlCache = Path.Combine(context.Runs.FolderOf(context.RunId), "kubectl-cache");
        var scenarios = Scenarios().Append(StagingScenario(root, production.ConnectionString)).Concat(ComponentScenarios(environment, newPostgres.ConnectionString, kubectlCache));
        foreach (var scenario in scenarios)
        {
            context.Log.Information("Rehearsal: {0}", scenario.Name);
            scenario.Arrange?.Invoke(environment);
            var clock = Stopwatch.StartNew();
            var exitCode = new CakeHost().UseTwisterLab().Run(
                [$"--target={scenario.Target}", .. scenario.Arguments, .. environment.Arguments, $"--working={root}", "--environment=rehearsal"]);
            results.Add(new ScenarioResult(scenario, exitCode, clock.Elapsed));
        }

        var summary = Summary(results);
        context.Log.Information("Rehearsal summary:\n{0}", summary);
        context.Notes.Add("Rehearsal summary:\n\n" + summary);
        if (results.Where(result => !result.AsExpected).ToList() is { Count: > 0 } wrong)
        {
            throw new InvalidOperationException($"Rehearsal: {string.Join(", ", wrong.Select(result => result.Scenario.Name))} did not end as expected.");
        }
    }

    private static IEnumerable<Scenario> Scenarios() =>
    [
        new("rolling upgrade to v2.0", "RollingUpgrade", ["--image-tag=v2.0"], ExitCodes.Success),
        new("rolling upgrade to an unpullable image rolls back", "RollingUpgrade", ["--image-tag=v3-typo", "--migrations-reversible"], ExitCodes.Failed,
            environment => environment.Cluster.Faults.MakeImageUnpullable("twisterlab-api:v3-typo")),
        new("blue-green to a green that serves errors rolls back", "BlueGreenDeploy", [$"--image-tag={FaultyVersion}"], ExitCodes.Failed),
        new("maintenance-window upgrade to v2.1", "MaintenanceUpgrade", ["--image-tag=v2.1"], ExitCodes.Success),
        new("post-upgrade verification", "PostUpgradeVerify", [], ExitCodes.Success),
    ];

    /// <summary>
    /// The guide's "test upgrades in staging first": the rehearsal's database plays staging and a second database on
    /// its server production (more rows, personal data). The rehearsal has no TwisterLab checkout, so its own
    /// integration tests stand in for pytest's; k6 is not installed here, so the load test says it is skipped.
    /// </summary>
    private static Scenario StagingScenario(string root, string productionUrl) =>
        new("staging rehearsal: anonymized refresh, upgrade to v2.2, tests", "StagingRehearsal",
            ["--image-tag=v2.2", $"--source-database-url={productionUrl}", "--anonymize=agents.name:name,tickets.body:text",
             $"--integration-test-command=python3 {Path.Combine(root, "rehearsal", "scripts", "integration_tests.py")}"],
            ExitCodes.Success);

    /// <summary>
    /// The component upgrades, after the core procedures. PostgreSQL "13 -> 16" runs between two servers of this
    /// machine's one major (the chain warns and goes on); the cluster upgrade takes the workers from the simulator's
    /// v1.32.4 to v1.32.9 (a control plane at 1.32.9 first), with a node hook that makes each node report the new kubelet
    /// through the real kubectl, as an upgraded kubelet would.
    /// </summary>
    private static IEnumerable<Scenario> ComponentScenarios(RehearsalEnvironment environment, string newDatabaseUrl, string kubectlCache) =>
    [
        new("PostgreSQL major upgrade to a new server", "PostgresMajorUpgrade", [$"--new-database-url={newDatabaseUrl}"], ExitCodes.Success),
        new("cluster upgrade, worker by worker", "ClusterUpgrade",
            ["--kubernetes-version=1.32.9",
             $"--node-upgrade-command=kubectl --kubeconfig {environment.Cluster.KubeconfigPath} --cache-dir {kubectlCache} patch node {{node}} --subresource=status --type=merge -p '{{\"status\":{{\"nodeInfo\":{{\"kubeletVersion\":\"v{{version}}\"}}}}}}'"],
            ExitCodes.Success,
            rehearsal => rehearsal.Cluster.ServerVersion = "v1.32.9"),
    ];

    private static string Summary(IEnumerable<ScenarioResult> results)
    {
        var text = new StringBuilder("| scenario | target | expected exit | exit | result | time |\n|---|---|---|---|---|---|\n");
        foreach (var result in results)
        {
            text.Append($"| {result.Scenario.Name} | {result.Scenario.Target} | {result.Scenario.ExpectedExitCode} | {result.ExitCode} | {(result.AsExpected ? "as expected" : "WRONG")} | {result.Duration.TotalSeconds:0.0} s |\n");
        }

        return text.ToString();
    }
}
