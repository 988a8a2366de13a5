using System.Reflection;
using Cake.Core.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace TwisterLab.Cake.Hosting.Internal;

/// <summary>
/// Registers the discovered tasks and lifetimes with Cake's engine, which does all the running: graph, order,
/// criteria, error and finally handlers, report. Only members a task overrides are wired (Frosting's rule),
/// because an error handler, once present, swallows the task's exception.
/// </summary>
internal sealed class TaskRegistrar(IServiceProvider services, TaskCatalog catalog, ICakeEngine engine, ICakeLog log)
{
    public void Register(IFrostingContext context, bool dryRun)
    {
        var tasks = services.GetServices<IFrostingTask>().ToDictionary(task => task.GetType());
        foreach (var type in catalog.Types)
        {
            if (!AcceptsContext(type, context))
            {
                log.Warning("Task {0} cannot be used since the context isn't convertible to {1}.", type.Name, ContextTypeOf(type)?.Name ?? "?");
                continue;
            }

            RegisterTask(tasks[type], dryRun);
        }

        RegisterLifetimes(context);
    }

    private void RegisterTask(IFrostingTask task, bool dryRun)
    {
        var type = task.GetType();
        var builder = engine.RegisterTask(TaskCatalog.NameOf(type));
        if (TaskCatalog.DescriptionOf(type) is { } description)
        {
            builder.Description(description);
        }

        if (dryRun)
        {
            // A plan must not touch the world: no criteria (they may read it), no handlers, and the body
            // replaced by the task's own account of what it would do.
            if (task is IDryRunnable dryRunnable)
            {
                builder.Does(dryRunnable.DryRunAsync);
            }
            else if (Overrides(type, "Run", "RunAsync"))
            {
                builder.Does(_ => log.Information("(dry run) would run {0}", TaskCatalog.NameOf(type)));
            }
        }
        else
        {
            WireExecution(task, type, builder);
        }

        foreach (var dependency in TaskCatalog.DependenciesOf(type))
        {
            builder.IsDependentOn(TaskCatalog.NameOf(dependency));
        }

        foreach (var dependee in TaskCatalog.DependeesOf(type))
        {
            builder.IsDependeeOf(TaskCatalog.NameOf(dependee));
        }
    }

    private void WireExecution(IFrostingTask task, Type type, CakeTaskBuilder builder)
    {
        if (Overrides(type, "Run", "RunAsync"))
        {
            var refusals = services.GetRequiredService<RefusalAwareLog>();
            builder.Does(async context =>
            {
                try
                {
                    await task.RunAsync(context);
                }
                catch (Exception exception) when (IsRefusal(exception))
                {
                    refusals.Refused();
                    throw;
                }
            });
        }

        if (Overrides(type, "ShouldRun"))
        {
            builder.WithCriteria(task.ShouldRun, task.SkippedMessage);
        }

        if (type.GetCustomAttribute<ContinueOnErrorAttribute>() is not null)
        {
            builder.ContinueOnError();
        }

        if (Overrides(type, "OnError"))
        {
            builder.OnError((Exception exception, ICakeContext context) => task.OnError(exception, context));
        }

        if (Overrides(type, "Finally"))
        {
            builder.Finally((ICakeContext context) => task.Finally(context));
        }
    }

    private static bool IsRefusal(Exception? exception) =>
        exception is not null && (exception is BadInputException || IsRefusal(exception.InnerException));

    // Cake takes one action of each kind; several registered lifetimes run in registration order.
    private void RegisterLifetimes(IFrostingContext context)
    {
        if (services.GetServices<IFrostingSetup>().ToList() is { Count: > 0 } setups)
        {
            engine.RegisterSetupAction(info => setups.ForEach(setup => setup.Setup(context, info)));
        }

        if (services.GetServices<IFrostingTeardown>().ToList() is { Count: > 0 } teardowns)
        {
            engine.RegisterTeardownAction(info => teardowns.ForEach(teardown => teardown.Teardown(context, info)));
        }

        if (services.GetServices<IFrostingTaskSetup>().ToList() is { Count: > 0 } taskSetups)
        {
            engine.RegisterTaskSetupAction(info => taskSetups.ForEach(setup => setup.Setup(context, info)));
        }

        if (services.GetServices<IFrostingTaskTeardown>().ToList() is { Count: > 0 } taskTeardowns)
        {
            engine.RegisterTaskTeardownAction(info => taskTeardowns.ForEach(teardown => teardown.Teardown(context, info)));
        }
    }

    private static bool Overrides(Type type, params string[] methodNames) =>
        !IsFrostingBase(type) ||
        type.GetMethods(BindingFlags.Public | BindingFlags.Instance)
            .Where(method => methodNames.Contains(method.Name))
            .Any(method => method.DeclaringType is { } declaring && !IsFrostingBaseDefinition(declaring));

    private static bool IsFrostingBase(Type type) => ContextTypeOf(type) is not null;

    private static bool IsFrostingBaseDefinition(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition() is var definition &&
        (definition == typeof(FrostingTask<>) || definition == typeof(AsyncFrostingTask<>));

    private static Type? ContextTypeOf(Type type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (IsFrostingBaseDefinition(current))
            {
                return current.GetGenericArguments()[0];
            }
        }

        return null;
    }

    private static bool AcceptsContext(Type type, IFrostingContext context) =>
        ContextTypeOf(type) is not { } wanted || wanted.IsInstanceOfType(context);
}
