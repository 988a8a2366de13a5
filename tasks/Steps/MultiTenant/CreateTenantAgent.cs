using System.Text.Json.Nodes;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Probes;

namespace TwisterLab.Cake.Steps.MultiTenant;

/// <summary>The guide's test call: an agent created for a tenant must come back with that tenant.</summary>
[TaskDescription("Guide step 5: curl -X POST http://edgeserver.twisterlab.local:30001/agents/ -d '{\"name\": \"test-agent\", \"tenantId\": \"tenant-123\"}' — created, with its tenant.")]
public sealed class CreateTenantAgent : DeployStep
{
    private const string Body = """{"name": "test-agent", "tenantId": "tenant-123"}""";

    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return HttpProbe.Describe("POST", Url(context), Body);
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var result = await context.Http.PostJsonAsync(Url(context), Body, context.CancellationToken);
        var tenant = result.Ok ? JsonNode.Parse(result.Body)?["tenantId"]?.GetValue<string>() : null;
        if (tenant != "tenant-123")
        {
            throw new InvalidOperationException($"Multi-tenancy test failed: {result} answered '{result.Body.Trim()}' (expected the agent with tenantId tenant-123).");
        }

        context.Log.Information("{0}: agent created for tenant-123.", result);
    }

    private static string Url(DeployContext context) => context.ApiUrl + "/agents/";
}
