using System.Reflection;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Rehearsal;

namespace TwisterLab.Cake;

/// <summary>
/// The embedded world as an extension of the library's host: its targets (Rehearse, SandboxUp/Down, Test, Pack),
/// the simulator behind --cluster=embedded, the whole world around a --cluster=embedded run, and the sandbox's
/// background process. The build host and the twisterlab tool register it first thing (<see cref="Register"/>).
/// </summary>
public sealed class EmbeddedExtension : ITwisterLabExtension
{
    public static void Register()
    {
        EmbeddedClusters.Register(async (@namespace, cancellationToken) => await EmbeddedCluster.StartAsync(@namespace, cancellationToken: cancellationToken));
        TwisterLabHost.Extend(new EmbeddedExtension());
    }

    public Assembly Tasks => typeof(EmbeddedExtension).Assembly;

    public int? TryRun(string[] arguments, Func<string[], int> host)
    {
        if (arguments is [var serve] && serve.StartsWith(SandboxProcess.ServeArgument + "=", StringComparison.Ordinal))
        {
            return SandboxProcess.ServeAsync(serve.Split('=', 2)[1]).GetAwaiter().GetResult();
        }

        return EmbeddedWorld.Wanted(arguments)
            ? EmbeddedWorld.RunAsync(arguments, host, Console.Error).GetAwaiter().GetResult()
            : null;
    }
}
