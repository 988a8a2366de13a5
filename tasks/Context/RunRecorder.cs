using System.Text.Json.Nodes;

namespace TwisterLab.Cake.Context;

/// <summary>
/// Collects each step's status, timing and facts as Cake runs it (fed by the task lifetime). Steps run one at a time,
/// so a fact belongs to the step running when it is noted; the report shows it in that step's <c>detail</c>.
/// </summary>
public sealed class RunRecorder
{
    private readonly List<StepRecord> _steps = [];
    private readonly Dictionary<string, DateTimeOffset> _started = [];
    private readonly Lock _gate = new();
    private JsonObject? _facts;

    public IReadOnlyList<StepRecord> Steps
    {
        get
        {
            lock (_gate)
            {
                return [.. _steps];
            }
        }
    }

    public void Begin(string step)
    {
        lock (_gate)
        {
            _started[step] = DateTimeOffset.UtcNow;
            _facts = null;
        }
    }

    /// <summary>A fact of the running step; a later one under the same key replaces it.</summary>
    public void Fact(string key, JsonNode? value)
    {
        lock (_gate)
        {
            (_facts ??= [])[key] = value;
        }
    }

    /// <summary>One more entry of a list fact (a monitor sample, a table loaded).</summary>
    public void Append(string key, JsonNode? value)
    {
        lock (_gate)
        {
            _facts ??= [];
            if (_facts[key] is not JsonArray list)
            {
                _facts[key] = list = [];
            }

            list.Add(value);
        }
    }

    public void End(string step, StepStatus status, TimeSpan duration, string? error)
    {
        lock (_gate)
        {
            var started = _started.GetValueOrDefault(step, DateTimeOffset.UtcNow - duration);
            _steps.Add(new StepRecord(step, status, started, duration, error, _facts));
            _facts = null;
        }
    }
}
