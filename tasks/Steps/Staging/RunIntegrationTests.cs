using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.Staging;

/// <summary>The integration tests against the upgraded staging; a failing suite fails the rehearsal (and rolls staging back).</summary>
[TaskDescription("Guide 'Testing Upgrades' step 3: pytest tests/integration/ -v --env=staging (--integration-test-command).")]
public sealed class RunIntegrationTests : DeployStep, IHasPreconditions
{
    public IEnumerable<string> Problems(DeployContext context)
    {
        var command = context.Settings.IntegrationTestCommand;
        if (!ShellScript.IsInstalled(command))
        {
            yield return $"{ShellScript.Program(command)} is not installed here: install it, or pass --integration-test-command=<the command that runs your integration tests>";
        }
    }

    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return $"{context.Settings.IntegrationTestCommand}   # with TWISTERLAB_API_URL={context.ApiUrl}";
    }

    protected override Task ExecuteAsync(DeployContext context)
    {
        StagingTests.RunAndCheck(context, "integration-tests", "Integration tests", context.Settings.IntegrationTestCommand);
        return Task.CompletedTask;
    }
}
