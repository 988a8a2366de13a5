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
