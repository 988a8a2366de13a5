using System.Reflection;
using Cake.Cli;
using Cake.Common.Modules;
using Cake.Core.Diagnostics;
using Cake.Core.Modules;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;
using TwisterLab.Cake.Hosting.Internal;

namespace TwisterLab.Cake.Hosting;

/// <summary>
/// Frosting's host, on Cake's own engine: tasks are discovered in the registered assemblies, built by DI and
/// registered with <see cref="ICakeEngine"/>; Cake.Cli's script hosts run them. Moving to the Cake.Frosting
/// package is a change of <c>using</c>s.
/// </summary>
public sealed class CakeHost
{
    private readonly IServiceCollection _services = CreateServiceCollection();
    private readonly List<Assembly> _assemblies = [];

    public CakeHost()
    {
        if (Assembly.GetEntryAssembly() is { } entry)
        {
            _assemblies.Add(entry);
        }
    }

    public static CakeHost Create() => new();

    /// <summary>The assemblies whose tasks this host runs: the entry assembly and every one added.</summary>
    public IReadOnlyList<Assembly> Assemblies => _assemblies;

    public CakeHost AddAssembly(Assembly assembly)
    {
        if (!_assemblies.Contains(assembly))
        {
            _assemblies.Add(assembly);
        }

        return this;
    }

    public CakeHost ConfigureServices(Action<IServiceCollection> services)
    {
        services(_services);
        return this;
    }

    public int Run(IEnumerable<string> args)
    {
        var arguments = args.ToList();
        var catalog = TaskCatalog.Discover(_assemblies);
        _services.AddSingleton(catalog);
        foreach (var task in catalog.Types)
        {
            _services.AddSingleton(typeof(IFrostingTask), task);
        }

        var registrar = new TypeRegistrar();
        registrar.RegisterInstance(typeof(IServiceCollection), _services);
        var app = new CommandApp<DefaultCommand>(registrar);
        app.Configure(config =>
        {
            config.SetApplicationName("build.sh");
            // Any "--name=value" the host does not know is an argument for the tasks (Frosting's rule).
            config.Settings.ConvertFlagsToRemainingArguments = true;
            config.Settings.ExceptionHandler = (exception, _) =>
            {
                // Spectre's own parse errors: one line on stderr like every refusal, exit 2, nothing started.
                Console.Error.WriteLine("error: " + ParseError(exception, arguments));
                return ExitCodes.BadInput;
            };
        });
        return app.Run(arguments);
    }

    /// <summary>
    /// Spectre says "Expected an option value." for "--name=" without naming the option: name it, with the fix.
    /// </summary>
    private static string ParseError(Exception exception, IReadOnlyList<string> arguments) =>
        exception.Message.StartsWith("Expected an option value", StringComparison.Ordinal) &&
        arguments.FirstOrDefault(argument => argument.StartsWith("--", StringComparison.Ordinal) && argument.EndsWith('=')) is { } empty
            ? $"{empty.TrimEnd('=')}: needs a value: write {empty}<value>, or leave the argument out for its default."
            : exception.Message;

    private static ServiceCollection CreateServiceCollection()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConsole, CakeConsole>();
        services.AddSingleton(provider => new RefusalAwareLog(new CakeBuildLog(provider.GetRequiredService<IConsole>(), Verbosity.Normal)));
        services.AddSingleton<ICakeLog>(provider => provider.GetRequiredService<RefusalAwareLog>());
        services.AddSingleton(AnsiConsole.Console);
        services.AddSingleton<ICakeReportPrinter, CakeSpectreReportPrinter>();
        services.AddSingleton<ICakeConfiguration, HostConfiguration>();
        services.AddSingleton<global::Cake.Core.Tooling.IToolInstaller, UnsupportedToolInstaller>();

        services.AddSingleton<BuildScriptHost<IFrostingContext>>();
        services.AddSingleton<TreeScriptHost>();
        services.AddSingleton<DescriptionScriptHost>();
        services.AddSingleton<IVersionResolver, PackageVersionResolver>();
        services.AddSingleton<VersionFeature>();
        services.AddSingleton<InfoFeature>();

        services.UseModule<CoreModule>();
        services.UseModule<CommonModule>();
        services.AddSingleton<ICakeEnvironment, HostEnvironment>();

        services.AddSingleton<FrostingContext>();
        services.AddSingleton<IFrostingContext>(provider => provider.GetRequiredService<FrostingContext>());
        services.AddSingleton<TaskRegistrar>();
        return services;
    }
}
