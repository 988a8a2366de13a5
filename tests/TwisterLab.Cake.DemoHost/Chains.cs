using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.DemoHost.Chains;

[TaskDescription("Five mutating steps, A to E.")]
[IsDependentOn(typeof(WriteA))]
[IsDependentOn(typeof(WriteB))]
[IsDependentOn(typeof(WriteC))]
[IsDependentOn(typeof(WriteD))]
[IsDependentOn(typeof(WriteE))]
public sealed class DemoChain : FrostingTask<DeployContext>;

// Declared in reverse: the order must follow the source lines, not the alphabet or the metadata.
[TaskDescription("The same steps, declared E to A.")]
[IsDependentOn(typeof(WriteE))]
[IsDependentOn(typeof(WriteD))]
[IsDependentOn(typeof(WriteC))]
[IsDependentOn(typeof(WriteB))]
[IsDependentOn(typeof(WriteA))]
public sealed class ReversedChain : FrostingTask<DeployContext>;

[TaskDescription("A task whose OnError swallows its failure (Cake's rule), with a Finally.")]
public sealed class SwallowedFailure : FrostingTask<DeployContext>
{
    public override void Run(DeployContext context) => throw new InvalidOperationException("swallowed");

    public override void OnError(Exception exception, DeployContext context) => Mark(context, "onerror");

    public override void Finally(DeployContext context) => Mark(context, "finally");

    internal static void Mark(DeployContext context, string what) =>
        File.AppendAllText(Path.Combine(context.Arguments.GetArgument(Demo.World), "handlers.log"), what + "\n");
}

[TaskDescription("A task that fails, with only a Finally.")]
public sealed class FailureWithFinally : FrostingTask<DeployContext>
{
    public override void Run(DeployContext context) => throw new InvalidOperationException("not swallowed");

    public override void Finally(DeployContext context) => SwallowedFailure.Mark(context, "finally");
}
