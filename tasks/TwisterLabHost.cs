using System.Reflection;
using Cake.Core.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Lifetime;
using TwisterLab.Cake.Rollback;
using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake;

/// <summary>
/// Something beside the library that a host carries: its tasks are listed and run like the library's, and it may take
/// a whole command line for itself (the embedded world wraps the host for --cluster=embedded). The library package
/// has none; the twisterlab tool and the repository's build host register the embedded world (embedded/).
/// </summary>
public interface ITwisterLabExtension
{
    /// <summary>The assembly whose tasks the host adds.</summary>
    Assembly Tasks { get; }

    /// <summary>Its services: arguments (<see cref="ArgumentSpec"/>), handlers of its own compensations are found in <see cref="Tasks"/>.</summary>
    void ConfigureServices(IServiceCollection services)
    {
    }

    /// <summary>Runs this command line itself (calling <paramref name="host"/> when it wants the host), or null when it is not its own.</summary>
    int? TryRun(string[] arguments, Func<string[], int> host) => null;
}

public static class TwisterLabHost
{
    private static readonly List<ITwisterLabExtension> Extensions = [];

    /// <summary>Adds an extension to every host built from here on (once per type: registering twice is harmless).</summary>
    public static void Extend(ITwisterLabExtension extension)
    {
        lock (Extensions)
        {
            if (!Extensions.Any(known => known.GetType() == extension.GetType()))
            {
                Extensions.Add(extension);
            }
        }
    }

    /// <summary>
    /// The command line's entry point: an extension that claims the arguments runs them (--cluster=embedded gets the
    /// whole rehearsal world around the host); every other run goes straight to the host.
    /// </summary>
    public static int Run(string[] arguments)
    {
        // A lone --version (what pipelines and installers ask) is answered before any engine is built: the same line
        // Cake's version feature prints, at a fraction of the start-up.
        if (arguments is ["--version"])
        {
            Console.WriteLine(new Hosting.Internal.PackageVersionResolver().GetVersion());
            return ExitCodes.Success;
        }

        SqliteQuickCheck.StartFor(arguments);

        try
        {
            // Values from TWISTERLAB_* and --x-file, so that a pipeline keeps secrets off every command line.
            arguments = ArgumentSources.Resolve(arguments);
        }
        catch (BadInputException badInput)
        {
            Console.Error.WriteLine("error: " + badInput.Message);
            return ExitCodes.BadInput;
        }

        var probed = EarlyPostgresProbe.StartFor(arguments);
        try
        {
            foreach (var extension in Registered())
            {
                if (extension.TryRun(arguments, Host) is { } exitCode)
                {
                    return exitCode;
                }
            }

            return Host(arguments);
        }
        finally
        {
            EarlyPostgresProbe.Forget(probed);
        }
    }

    private static int Host(string[] arguments) => new CakeHost().UseTwisterLab().Run(arguments);

    private static ITwisterLabExtension[] Registered()
    {
        lock (Extensions)
        {
            return [.. Extensions];
        }
    }

    /// <summary>Everything a TwisterLab run needs: the context, the lifetimes, the rollback runner, a log that redacts.</summary>
    public static CakeHost UseTwisterLab(this CakeHost host)
    {
        host.AddAssembly(typeof(DeployContext).Assembly);
        foreach (var extension in Registered())
        {
            host.AddAssembly(extension.Tasks);
        }

        foreach (var extension in Registered())
        {
            host.ConfigureServices(extension.ConfigureServices);
        }

        return host.UseContext<DeployContext>()
            .UseLifetime<DeployLifetime>()
            .UseTaskLifetime<DeployTaskLifetime>()
            .ConfigureServices(services =>
            {
                services.AddSingleton<SecretRedactor>();
                services.AddSingleton<IRunOutcome>(provider => provider.GetRequiredService<DeployContext>());
                services.AddSingleton<CompensationRunner>();
                services.AddSingleton(provider => new Lazy<Cluster.ClusterGateway>(() => provider.GetRequiredService<DeployContext>().Cluster));
                services.AddSingleton<Rollback.Cluster.ImageRevisions>();
                services.AddSingleton<Rollback.Cluster.SchemaGate>();
                services.AddSingleton(provider => provider.GetRequiredService<DeployContext>().Cluster);
                services.AddSingleton(provider => provider.GetRequiredService<DeployContext>().SecretStash);
                // The library's undo handlers and those of every assembly the host carries (an extension's own compensations).
                // Public ones, as tasks are found: loading every private nested type too cost a plan about 20 ms.
                foreach (var handler in host.Assemblies.Append(typeof(ICompensationHandler).Assembly).Distinct().SelectMany(assembly => assembly.GetExportedTypes())
                             .Where(type => type is { IsClass: true, IsAbstract: false } && typeof(ICompensationHandler).IsAssignableFrom(type)))
                {
                    services.AddCompensationHandler(handler);
                }
                var plainLog = services.Single(descriptor => descriptor.ServiceType == typeof(ICakeLog));
                services.Replace(ServiceDescriptor.Singleton<ICakeLog>(provider =>
                    new RedactingLog((ICakeLog)plainLog.ImplementationFactory!(provider), provider.GetRequiredService<SecretRedactor>())));
            });
    }
}
