namespace TwisterLab.Cake.Context;

/// <summary>Collects each step's status and timing as Cake runs it (fed by the task lifetime).</summary>
public sealed class RunRecorder
{
    private readonly List<StepRecord> _steps = [];
    private readonly Dictionary<string, DateTimeOffset> _started = [];

    public IReadOnlyList<StepRecord> Steps => _steps;

    public void Begin(string step) => _started[step] = DateTimeOffset.UtcNow;

    public void End(string step, StepStatus status, TimeSpan duration, string? detail)
    {
        var started = _started.GetValueOrDefault(step, DateTimeOffset.UtcNow - duration);
        _steps.Add(new StepRecord(step, status, started, duration, detail));
    }
}
