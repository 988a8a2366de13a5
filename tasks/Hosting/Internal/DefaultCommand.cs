using Cake.Cli;
using Cake.Cli.Infrastructure;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using Cake.Core.Scripting;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli;

namespace TwisterLab.Cake.Hosting.Internal;

/// <summary>Frosting's default command: parse, pick a script host, register the tasks, run, map the exit code.</summary>
internal sealed class DefaultCommand(IServiceCollection services) : Command<DefaultCommandSettings>
{
    public override int Execute(CommandContext context, DefaultCommandSettings settings, CancellationToken cancellationToken)
    {
        var targets = settings.TargetsOrDefault;
        Verbosity verbosity;
        try
        {
            verbosity = settings.Verbosity;
        }
        catch (BadInputException badInput)
        {
            Console.Error.WriteLine("error: " + badInput.Message);
            return ExitCodes.BadInput;
        }

        services.AddSingleton<ICakeArguments>(context.Remaining.ToCakeArguments(targets.ToArray(), null));
        services.AddSingleton(context.Remaining);
        services.AddSingleton(new HostRunOptions(targets, settings.DryRun, settings.Exclusive, verbosity));
        services.AddSingleton<HostCancellation>();

        using var provider = services.BuildServiceProvider();
        var console = provider.GetRequiredService<IConsole>();
        var log = provider.GetRequiredService<ICakeLog>();
        log.Verbosity = verbosity;
        try
        {
            if (settings.Version)
            {
                provider.GetRequiredService<VersionFeature>().Run(console);
                return ExitCodes.Success;
            }

            if (settings.Info)
            {
                provider.GetRequiredService<InfoFeature>().Run(console);
                return ExitCodes.Success;
            }

            SetWorkingDirectory(provider, settings.WorkingDirectory);
            RejectUnknownTargets(provider.GetRequiredService<TaskCatalog>(), targets);
            return Run(provider, settings, targets);
        }
        catch (Exception exception) when (FindBadInput(exception) is { } badInput)
        {
            console.WriteErrorLine("error: " + badInput.Message);
            return ExitCodes.BadInput;
        }
    }

    private static int Run(ServiceProvider provider, DefaultCommandSettings settings, IReadOnlyList<string> targets)
    {
        if (settings.Tree)
        {
            return RunHost(provider, provider.GetRequiredService<TreeScriptHost>(), settings, targets, dryRun: true);
        }

        if (settings.Description)
        {
            return RunHost(provider, provider.GetRequiredService<DescriptionScriptHost>(), settings, targets, dryRun: true);
        }

        // Dry runs use the build host too: Cake's DryRunScriptHost never calls a task, so it cannot print what
        // each step would do. The registrar swaps every body for its plan instead (see TaskRegistrar).
        return RunHost(provider, provider.GetRequiredService<BuildScriptHost<IFrostingContext>>(), settings, targets, settings.DryRun);
    }

    private static int RunHost(ServiceProvider provider, IScriptHost host, DefaultCommandSettings settings, IReadOnlyList<string> targets, bool dryRun)
    {
        var context = provider.GetRequiredService<IFrostingContext>();
        provider.GetRequiredService<TaskRegistrar>().Register(context, dryRun);
        if (settings.Exclusive)
        {
            host.Settings.UseExclusiveTarget();
        }

        var outcome = provider.GetService<IRunOutcome>();
        try
        {
            host.RunTargetsAsync(targets).GetAwaiter().GetResult();
        }
        catch (Exception exception) when (FindBadInput(exception) is null)
        {
            // Cake has logged the failing task and printed its report; the context decides what the failure means.
            ExceptionLogger.LogException(provider.GetRequiredService<ICakeLog>(), exception);
            return outcome?.ExitCode(engineSucceeded: false) ?? ExitCodes.Failed;
        }

        return outcome?.ExitCode(engineSucceeded: true) ?? ExitCodes.Success;
    }

    private static void SetWorkingDirectory(ServiceProvider provider, DirectoryPath? fromCommandLine)
    {
        var environment = provider.GetRequiredService<ICakeEnvironment>();
        var directory = (fromCommandLine ?? provider.GetService<WorkingDirectory>()?.Path)?.MakeAbsolute(environment);
        if (directory is null)
        {
            return;
        }

        if (!provider.GetRequiredService<IFileSystem>().Exist(directory))
        {
            throw new BadInputException($"The working directory '{directory.FullPath}' does not exist.");
        }

        environment.WorkingDirectory = directory;
    }

    private static void RejectUnknownTargets(TaskCatalog catalog, IEnumerable<string> targets)
    {
        foreach (var target in targets.Where(target => !catalog.Contains(target)))
        {
            throw new BadInputException($"Unknown target '{target}'.{Suggestions.DidYouMean(catalog.Closest(target))} Run with --target=Default to list the targets.");
        }
    }

    private static BadInputException? FindBadInput(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is BadInputException badInput)
            {
                return badInput;
            }
        }

        return null;
    }
}
