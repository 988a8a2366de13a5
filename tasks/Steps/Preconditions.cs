using TwisterLab.Cake.Context;

namespace TwisterLab.Cake.Steps;

/// <summary>
/// A step with input it cannot start without (an image tag, a file). Preflight asks every step the run will reach
/// and refuses the run, before any change, on the first problem.
/// </summary>
public interface IHasPreconditions
{
    /// <summary>What is missing or wrong for this step, with the fix; empty when it can run.</summary>
    IEnumerable<string> Problems(DeployContext context);
}

/// <summary>A step that deploys --image-tag.</summary>
public interface INeedImageTag : IHasPreconditions
{
    IEnumerable<string> IHasPreconditions.Problems(DeployContext context) =>
        context.Settings.ImageTag is null ? ["add --image-tag=<tag>, e.g. --image-tag=v2.0"] : [];
}
