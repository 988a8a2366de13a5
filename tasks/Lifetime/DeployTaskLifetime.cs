using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Lifetime;

/// <summary>Around each step: times it for the report and groups its log lines in GitHub Actions or GitLab CI.</summary>
public sealed class DeployTaskLifetime : FrostingTaskLifetime<DeployContext>
{
    public override void Setup(DeployContext context, ITaskSetupContext info)
    {
        CiPipeline.BeginStep(context, info.Task.Name);
        context.Recorder.Begin(info.Task.Name);
    }

    public override void Teardown(DeployContext context, ITaskTeardownContext info)
    {
        var status = context.IsDryRun ? StepStatus.Planned
            : info.Skipped ? StepStatus.Skipped
            : info.Successful ? StepStatus.Succeeded
            : StepStatus.Failed;
        var error = info.ThrownException is { } exception ? context.Redactor.Redact(exception.Message) : null;
        context.Recorder.End(info.Task.Name, status, info.Duration, error);
        CiPipeline.EndStep(context, info.Task.Name);
    }
}
