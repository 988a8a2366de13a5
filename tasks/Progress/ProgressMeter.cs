namespace TwisterLab.Cake.Progress;

/// <summary>What a meter counts: the unit its rate and ETA are written in.</summary>
public enum ProgressUnit
{
    /// <summary>Nothing counted: a wait, shown by its status and a heartbeat while it is quiet.</summary>
    None,
    Bytes,
    Rows,
    Samples,
}

/// <summary>
/// One long operation's counter. The operation only counts (an interlocked add, cheap enough for every buffer of a
/// stream); the <see cref="ProgressReporter"/> reads it on its own clock and decides what to show.
/// </summary>
public sealed class ProgressMeter : IDisposable
{
    private readonly ProgressReporter _owner;
    private long _done;
    private long _total;
    private string? _status;
    private int _changes;

    internal ProgressMeter(ProgressReporter owner, string operation, ProgressUnit unit, long? total, DateTimeOffset started)
    {
        _owner = owner;
        Operation = operation;
        Unit = unit;
        _total = total ?? -1;
        Started = started;
    }

    public string Operation { get; }

    public ProgressUnit Unit { get; }

    public DateTimeOffset Started { get; }

    public long Done => Interlocked.Read(ref _done);

    public long? Total => Interlocked.Read(ref _total) is var total and >= 0 ? total : null;

    public string? Status => Volatile.Read(ref _status);

    /// <summary>Grows with every change of the status; the reporter compares it to tell a quiet wait.</summary>
    internal int Changes => Volatile.Read(ref _changes);

    public void Add(long amount) => Interlocked.Add(ref _done, amount);

    public void Set(long done) => Interlocked.Exchange(ref _done, done);

    public void SetTotal(long total) => Interlocked.Exchange(ref _total, total);

    /// <summary>The words after the numbers (a table's name, an error rate and p95, a rollout's replicas).</summary>
    public void Describe(string status)
    {
        Volatile.Write(ref _status, status);
        Interlocked.Increment(ref _changes);
    }

    /// <summary>The operation ended: the reporter shows its last line (when it showed any) and forgets it.</summary>
    public void Dispose() => _owner.Finish(this);
}
