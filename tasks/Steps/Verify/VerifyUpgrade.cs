using System.Text;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Probes;
using TwisterLab.Cake.Steps.RollingUpgrade;

namespace TwisterLab.Cake.Steps.Verify;

/// <summary>
/// The guide's post-upgrade verification as one checklist: every check runs, each gets a line in the table (log and
/// report), and the step fails when any required check fails. It changes nothing.
/// </summary>
[TaskDescription("Guide: post-upgrade verification — health, MCP tools, schema version, error logs of the last hour, twisterlab_agent metrics, browser agent.")]
public sealed class VerifyUpgrade : DeployStep
{
    private const string ClassifyPayload = """{"message": {"payload": {"args": {"ticket": "test"}}}}""";

    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return HttpProbe.Describe("GET", context.HealthUrl);
        yield return HttpProbe.Describe("POST", context.ApiUrl + "/mcp/list_autonomous_agents");
        yield return HttpProbe.Describe("POST", context.ApiUrl + "/mcp/classify_ticket", ClassifyPayload);
        yield return context.Cluster.Pods.DescribeExec(new ExecRequest(context.Deployment, ["alembic", "current"]));
        yield return context.Cluster.DescribeLogs(context.Deployment, TimeSpan.FromHours(1)) + " | grep -i error";
        yield return HttpProbe.Describe("GET", context.MetricsUrl) + " | grep twisterlab_agent";
        yield return HttpProbe.Describe("POST", context.ApiUrl + "/browser/screenshot", """{"url": "https://example.com"}""") + "   # optional";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var token = context.CancellationToken;
        var checks = new List<(string Check, bool Required, bool Passed, string Detail)>();
        async Task Http(string check, Task<ProbeResult> probe, bool required = true, Func<ProbeResult, bool>? passes = null)
        {
            var result = await probe;
            checks.Add((check, required, (passes ?? (r => r.Ok))(result), result.ToString()));
        }

        await Http("Health", context.Http.GetAsync(context.HealthUrl, token));
        await Http("MCP list_autonomous_agents", context.Http.PostJsonAsync(context.ApiUrl + "/mcp/list_autonomous_agents", null, token));
        await Http("MCP classify_ticket", context.Http.PostJsonAsync(context.ApiUrl + "/mcp/classify_ticket", ClassifyPayload, token));
        var revision = await ApplyMigrations.CurrentRevisionAsync(context);
        checks.Add(("Schema version (alembic current)", true, revision is not null, revision ?? "no revision"));
        var errors = (await context.Cluster.ReadLogsAsync(context.Deployment, TimeSpan.FromHours(1), token))
            .Where(line => line.Contains("error", StringComparison.OrdinalIgnoreCase)).ToList();
        checks.Add(("No error lines in the logs (1h)", true, errors.Count == 0, errors.Count == 0 ? "none" : $"{errors.Count}: {errors[0]}"));
        await Http("Metrics expose twisterlab_agent", context.Http.GetAsync(context.MetricsUrl, token), passes: r => r.Ok && r.Body.Contains("twisterlab_agent", StringComparison.Ordinal));
        await Http("Browser agent (optional)", context.Http.PostJsonAsync(context.ApiUrl + "/browser/screenshot", """{"url": "https://example.com"}""", token), required: false);

        var table = Table(checks);
        context.Log.Information("Post-upgrade verification:\n{0}", table);
        context.Notes.Add("Post-upgrade verification:\n\n" + table);
        if (checks.Where(check => check.Required && !check.Passed).Select(check => check.Check).ToList() is { Count: > 0 } failed)
        {
            throw new InvalidOperationException($"Post-upgrade verification failed: {string.Join(", ", failed)}.");
        }
    }

    private static string Table(IEnumerable<(string Check, bool Required, bool Passed, string Detail)> checks)
    {
        var text = new StringBuilder("| check | result | detail |\n|---|---|---|\n");
        foreach (var (check, required, passed, detail) in checks)
        {
            text.Append($"| {check} | {(passed ? "ok" : required ? "FAIL" : "skipped")} | {detail.Replace("|", "\\|")} |\n");
        }

        return text.ToString();
    }
}
