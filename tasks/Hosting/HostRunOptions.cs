using Cake.Core.Diagnostics;

namespace TwisterLab.Cake.Hosting;

/// <summary>
/// The options the host parsed itself. Frosting hides them from the context (they are not Cake arguments);
/// we make them visible, so that a context knows it runs as a plan and can keep its lifetime side-effect free.
/// </summary>
public sealed record HostRunOptions(IReadOnlyList<string> Targets, bool DryRun, bool Exclusive, Verbosity Verbosity)
{
    /// <summary>The options that make a run a plan, as the command line declares them and the early probes read them.</summary>
    public const string DryRunOptions = "--dryrun|--noop|--whatif";

    /// <summary>Whether the raw command line asks for a plan (before the host parsed it).</summary>
    public static bool AsksForPlan(IEnumerable<string> arguments) =>
        arguments.Any(argument => DryRunOptions.Split('|').Contains(argument.Split('=')[0], StringComparer.OrdinalIgnoreCase));
}
