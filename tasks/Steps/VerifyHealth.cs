using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Probes;

namespace TwisterLab.Cake.Steps;

[TaskDescription("Guide: 'Verify health' (devops-toolkit -Action health) — the API's health endpoint answers 2xx.")]
public sealed class VerifyHealth : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return HttpProbe.Describe("GET", context.HealthUrl);
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var result = await context.Http.WaitHealthyAsync(context.HealthUrl, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(1), context.CancellationToken);
        if (!result.Ok)
        {
            throw new InvalidOperationException($"Health check failed: {result}. {result.Body}".Trim());
        }

        context.Log.Information("{0}", result);
    }
}
