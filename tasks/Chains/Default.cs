using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Chains;

[TaskDescription("Lists the targets and the arguments they take.")]
public sealed class Default(TaskCatalog catalog) : FrostingTask<DeployContext>
{
    public override void Run(DeployContext context)
    {
        var targets = catalog.Types.Where(IsTarget).ToList();
        var width = targets.Max(type => TaskCatalog.NameOf(type).Length);
        context.Log.Information("Targets (./build.sh --target=<name>; add --dryrun to see the plan):");
        foreach (var type in targets)
        {
            context.Log.Information("  {0}  {1}", TaskCatalog.NameOf(type).PadRight(width), TaskCatalog.DescriptionOf(type) ?? string.Empty);
        }

        context.Log.Information(string.Empty);
        context.Log.Information("Arguments (--name=value):");
        var argumentWidth = context.KnownArguments.Max(spec => spec.Name.Length) + 2;
        foreach (var spec in context.KnownArguments)
        {
            context.Log.Information("  {0}  {1}", ("--" + spec.Name).PadRight(argumentWidth), spec.Description);
        }

        context.Log.Information(string.Empty);
        context.Log.Information("Where a value comes from, first found wins (TWISTERLAB_SOME_NAME is --some-name's variable; an empty one counts as unset):");
        foreach (var source in ArgumentSources.Precedence)
        {
            context.Log.Information("  {0}", source);
        }

        context.Log.Information(string.Empty);
        context.Log.Information("Host options (command line only): --dryrun, --tree, --description, --exclusive, --verbosity, --working, --version, --info, --help.");
    }

    private bool IsTarget(Type type) => type != typeof(Default) && catalog.Targets.Contains(type);
}
