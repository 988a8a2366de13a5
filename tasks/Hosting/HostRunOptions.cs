using Cake.Core.Diagnostics;

namespace TwisterLab.Cake.Hosting;

/// <summary>
/// The options the host parsed itself. Frosting hides them from the context (they are not Cake arguments);
/// we make them visible, so that a context knows it runs as a plan and can keep its lifetime side-effect free.
/// </summary>
public sealed record HostRunOptions(IReadOnlyList<string> Targets, bool DryRun, bool Exclusive, Verbosity Verbosity);
