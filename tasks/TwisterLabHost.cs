using Cake.Core.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Lifetime;
using TwisterLab.Cake.Rehearsal;
using TwisterLab.Cake.Rollback;
using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake;

public static class TwisterLabHost
{
    /// <summary>
    /// The command line's entry point: a run with --cluster=embedded gets the whole rehearsal world around it
    /// (<see cref="EmbeddedWorld"/>); every other run goes straight to the host.
    /// </summary>
    public static int Run(string[] arguments)
    {
        if (arguments is [var serve] && serve.StartsWith(SandboxProcess.ServeArgument + "=", StringComparison.Ordinal))
        {
            return SandboxProcess.ServeAsync(serve.Split('=', 2)[1]).GetAwaiter().GetResult();
        }

        return EmbeddedWorld.Wanted(arguments)
            ? EmbeddedWorld.RunAsync(arguments, Host, Console.Error).GetAwaiter().GetResult()
            : Host(arguments);
    }

    private static int Host(string[] arguments) => new CakeHost().UseTwisterLab().Run(arguments);

    /// <summary>Everything a TwisterLab run needs: the context, the lifetimes, the rollback runner, a log that redacts.</summary>
    public static CakeHost UseTwisterLab(this CakeHost host) =>
        host.AddAssembly(typeof(DeployContext).Assembly)
            .UseContext<DeployContext>()
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
                foreach (var handler in typeof(ICompensationHandler).Assembly.GetTypes()
                             .Where(type => type is { IsClass: true, IsAbstract: false } && typeof(ICompensationHandler).IsAssignableFrom(type)))
                {
                    services.AddCompensationHandler(handler);
                }
                var plainLog = services.Single(descriptor => descriptor.ServiceType == typeof(ICakeLog));
                services.Replace(ServiceDescriptor.Singleton<ICakeLog>(provider =>
                    new RedactingLog((ICakeLog)plainLog.ImplementationFactory!(provider), provider.GetRequiredService<SecretRedactor>())));
            });
}
