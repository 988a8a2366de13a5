using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.Staging;

/// <summary>
/// The load test against the upgraded staging. The guide's k6 is optional tooling: when the default command's k6 is
/// not installed, the step says so in one line and in the report, and the rehearsal goes on to Monitor. A command
/// the operator named must be there.
/// </summary>
[TaskDescription("Guide 'Testing Upgrades' step 4: k6 run tests/load/load-test.js --env STAGE=staging (--load-test-command; skipped with a line when k6 is not installed).")]
public sealed class RunLoadTests : DeployStep, IHasPreconditions
{
    public IEnumerable<string> Problems(DeployContext context)
    {
        var command = context.Settings.LoadTestCommand;
        if (!IsGuideDefault(context) && !ShellScript.IsInstalled(command))
        {
            yield return $"{ShellScript.Program(command)} (from --load-test-command) is not installed here";
        }
    }

    public override IEnumerable<string> Plan(DeployContext context)
    {
        // Not "is it installed here": a plan must read the same on every machine.
        yield return IsGuideDefault(context) ? $"{context.Settings.LoadTestCommand}   # skipped, with a line, where k6 is not installed" : context.Settings.LoadTestCommand;
    }

    protected override Task ExecuteAsync(DeployContext context)
    {
        var command = context.Settings.LoadTestCommand;
        if (!ShellScript.IsInstalled(command))
        {
            var skipped = $"Load test skipped: k6 is not installed (https://k6.io/docs/get-started/installation/), or pass --load-test-command.";
            context.Log.Warning(skipped);
            context.Notes.Add(skipped);
            return Task.CompletedTask;
        }

        StagingTests.RunAndCheck(context, "load-tests", "Load test", command);
        return Task.CompletedTask;
    }

    private static bool IsGuideDefault(DeployContext context) => context.Settings.LoadTestCommand == DeploySettings.GuideLoadTestCommand;
}
