using Microsoft.Extensions.DependencyInjection;
using TwisterLab.Cake.Context;

namespace TwisterLab.Cake.Rollback;

/// <summary>Applies one kind of compensation. Must be idempotent: applying it twice leaves the world as once.</summary>
public interface ICompensationHandler
{
    Type RecordType { get; }

    Task ApplyAsync(Compensation compensation, CancellationToken cancellationToken);
}

public abstract class CompensationHandler<TCompensation> : ICompensationHandler
    where TCompensation : Compensation
{
    public Type RecordType => typeof(TCompensation);

    public Task ApplyAsync(Compensation compensation, CancellationToken cancellationToken) =>
        ApplyAsync((TCompensation)compensation, cancellationToken);

    protected abstract Task ApplyAsync(TCompensation compensation, CancellationToken cancellationToken);
}

public static class CompensationHandlerRegistration
{
    /// <summary>
    /// Registers a handler under the name of the record it undoes. The runner resolves a handler only when a journal
    /// holds its kind, so undoing file changes never connects to a cluster.
    /// </summary>
    public static IServiceCollection AddCompensationHandler(this IServiceCollection services, Type handler) =>
        services.AddKeyedSingleton(typeof(ICompensationHandler), RecordTypeOf(handler).Name, handler);

    public static IServiceCollection AddCompensationHandler<THandler>(this IServiceCollection services)
        where THandler : class, ICompensationHandler =>
        services.AddCompensationHandler(typeof(THandler));

    private static Type RecordTypeOf(Type handler)
    {
        for (var type = handler; type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(CompensationHandler<>))
            {
                return type.GetGenericArguments()[0];
            }
        }

        throw new ArgumentException($"{handler.Name} does not derive from CompensationHandler<T>.", nameof(handler));
    }
}
