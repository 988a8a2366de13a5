namespace TwisterLab.Cake.Context;

/// <summary>Collects each step's status and timing as Cake runs it (fed by the task lifetime).</summary>
public sealed class RunRecorder
{
    private readonly List<StepRecord> _steps = [];
    private readonly Dictionary<string, DateTimeOffset> _started = [];
    private readonly Dictionary<string, string> _details = [];

    public IReadOnlyList<StepRecord> Steps => _steps;

    public void Begin(string step) => _started[step] = DateTimeOffset.UtcNow;

    /// <summary>What a step says about its own run (e.g. where its time went); a failure's message takes its place.</summary>
    public void Detail(string step, string detail) => _details[step] = detail;

    public void End(string step, StepStatus status, TimeSpan duration, string? detail)
    {
        var started = _started.GetValueOrDefault(step, DateTimeOffset.UtcNow - duration);
        _steps.Add(new StepRecord(step, status, started, duration, detail ?? _details.GetValueOrDefault(step)));
    }
}
