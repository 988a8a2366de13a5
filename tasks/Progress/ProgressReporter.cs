namespace TwisterLab.Cake.Progress;

/// <summary>
/// Shows every long operation's progress, written once for all of them: operations count on a
/// <see cref="ProgressMeter"/>; a timer on <see cref="TimeProvider"/> (injectable: tests move a fake clock) reads the
/// meters every <c>interval</c> and hands the view a line for each counting meter that moved, and a heartbeat for a
/// wait (<see cref="ProgressUnit.None"/>) that stayed quiet for <c>heartbeat</c> (a rollout with no news). An operation that ends before it was ever shown
/// leaves no line: only long work speaks.
/// </summary>
public sealed class ProgressReporter : IDisposable
{
    /// <summary>"Every few seconds" for plain lines (a CI log); a terminal's bars move faster.</summary>
    public static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan TerminalInterval = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan DefaultHeartbeat = TimeSpan.FromSeconds(10);

    private readonly IProgressView _view;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _heartbeat;
    private readonly ITimer _timer;
    private readonly Dictionary<ProgressMeter, Shown> _meters = [];
    private int _nextId;

    public ProgressReporter(IProgressView view, TimeSpan interval, TimeSpan? heartbeat = null, TimeProvider? clock = null)
    {
        _view = view;
        _clock = clock ?? TimeProvider.System;
        _heartbeat = heartbeat ?? DefaultHeartbeat;
        _timer = _clock.CreateTimer(_ => Tick(), null, interval, interval);
    }

    /// <summary>Starts counting one operation; dispose the meter when it ends.</summary>
    public ProgressMeter Start(string operation, ProgressUnit unit = ProgressUnit.None, long? total = null)
    {
        var meter = new ProgressMeter(this, operation, unit, total, _clock.GetUtcNow());
        lock (_meters)
        {
            _meters[meter] = new Shown(++_nextId, meter.Started, 0, 0, Ever: false);
        }

        return meter;
    }

    /// <summary>Reads every meter now (the timer calls it; a test may too).</summary>
    public void Tick()
    {
        var now = _clock.GetUtcNow();
        List<ProgressSnapshot> lines = [];
        lock (_meters)
        {
            foreach (var (meter, shown) in _meters.ToList())
            {
                var (done, changes) = (meter.Done, meter.Changes);
                var moved = done != shown.Done || changes != shown.Changes;
                if (!moved && now - shown.At < _heartbeat)
                {
                    continue;
                }

                if (moved && meter.Unit == ProgressUnit.None)
                {
                    // A wait's news is told by the operation itself (a rollout logs each new line): only silence is ours to fill.
                    _meters[meter] = shown with { At = now, Done = done, Changes = changes };
                    continue;
                }

                lines.Add(Snapshot(meter, shown.Id, now, quiet: !moved && meter.Unit == ProgressUnit.None));
                _meters[meter] = new Shown(shown.Id, now, done, changes, Ever: true);
            }
        }

        foreach (var line in lines)
        {
            _view.Show(line);
        }
    }

    internal void Finish(ProgressMeter meter)
    {
        Shown shown;
        lock (_meters)
        {
            if (!_meters.Remove(meter, out shown!))
            {
                return;
            }
        }

        if (shown.Ever)
        {
            _view.Show(Snapshot(meter, shown.Id, _clock.GetUtcNow(), quiet: false) with { Finished = true });
        }
    }

    private static ProgressSnapshot Snapshot(ProgressMeter meter, int id, DateTimeOffset now, bool quiet) =>
        new(id, meter.Operation, meter.Unit, meter.Done, meter.Total, meter.Status, now - meter.Started, quiet);

    public void Dispose()
    {
        _timer.Dispose();
        _view.Dispose();
    }

    private sealed record Shown(int Id, DateTimeOffset At, long Done, int Changes, bool Ever);
}
