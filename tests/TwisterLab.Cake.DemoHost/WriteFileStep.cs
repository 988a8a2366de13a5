using TwisterLab.Cake.Context;
using TwisterLab.Cake.Steps;

namespace TwisterLab.Cake.DemoHost;

/// <summary>A mutating step: records its undo, then writes its file. Arguments make it fail or hang on cue.</summary>
public abstract class WriteFileStep : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return $"echo {Name} > {PathOf(context)}";
    }

    public override bool ShouldRun(DeployContext context) => Argument(context, Demo.Skip) != Name;

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var path = PathOf(context);
        var failsHere = Argument(context, Demo.FailAt) == Name;
        var mode = Argument(context, Demo.FailMode) ?? "after-change";
        Fail(failsHere && mode == "before-record");
        context.Record(Name, new RestoreFile(path, File.Exists(path) ? await File.ReadAllTextAsync(path) : null));
        Fail(failsHere && mode == "after-record");
        await File.WriteAllTextAsync(path, Name);
        Fail(failsHere && mode == "after-change");
        if (Argument(context, Demo.HangAt) == Name)
        {
            Console.WriteLine($"hanging at {Name}");
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
    }

    private void Fail(bool when)
    {
        if (when)
        {
            throw new InvalidOperationException($"{Name} failed on purpose");
        }
    }

    private string PathOf(DeployContext context) =>
        Path.Combine(Argument(context, Demo.World) ?? throw new InvalidOperationException("--world is required"), Name + ".txt");

    private static string? Argument(DeployContext context, string name) =>
        context.Arguments.HasArgument(name) ? context.Arguments.GetArgument(name) : null;
}

public sealed class WriteA : WriteFileStep;

public sealed class WriteB : WriteFileStep;

public sealed class WriteC : WriteFileStep;

public sealed class WriteD : WriteFileStep;

public sealed class WriteE : WriteFileStep;
