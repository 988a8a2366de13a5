using Cake.Core.IO;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TwisterLab.Cake.Hosting.Internal;

namespace TwisterLab.Cake.Hosting;

public static class CakeHostExtensions
{
    public static CakeHost UseContext<TContext>(this CakeHost host)
        where TContext : class, IFrostingContext =>
        host.ConfigureServices(services =>
        {
            services.AddSingleton<TContext>();
            services.Replace(ServiceDescriptor.Singleton<IFrostingContext>(provider => provider.GetRequiredService<TContext>()));
        });

    public static CakeHost UseLifetime<TLifetime>(this CakeHost host)
        where TLifetime : class, IFrostingLifetime =>
        host.ConfigureServices(services =>
        {
            services.AddSingleton<TLifetime>();
            services.AddSingleton<IFrostingSetup>(provider => provider.GetRequiredService<TLifetime>());
            services.AddSingleton<IFrostingTeardown>(provider => provider.GetRequiredService<TLifetime>());
        });

    public static CakeHost UseTaskLifetime<TLifetime>(this CakeHost host)
        where TLifetime : class, IFrostingTaskLifetime =>
        host.ConfigureServices(services =>
        {
            services.AddSingleton<TLifetime>();
            services.AddSingleton<IFrostingTaskSetup>(provider => provider.GetRequiredService<TLifetime>());
            services.AddSingleton<IFrostingTaskTeardown>(provider => provider.GetRequiredService<TLifetime>());
        });

    public static CakeHost UseWorkingDirectory(this CakeHost host, DirectoryPath path) =>
        host.ConfigureServices(services => services.AddSingleton(new WorkingDirectory(path)));
}
