using System.Globalization;
using System.Text;
using TwisterLab.Cake.Metrics;

namespace TwisterLab.Cake.Rehearsal;

/// <summary>The stand-in API's counters, rendered in the Prometheus text format under TwisterLab's series names.</summary>
internal sealed class StandInMetrics
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, long> _requests = [];
    private readonly long[] _buckets = new long[TwisterLabMetrics.DurationBuckets.Length + 1];
    private double _durationSum;
    private long _agentSuccesses;
    private long _agentFailures;

    public void Observe(int status, double seconds, bool? agentSucceeded)
    {
        lock (_gate)
        {
            _requests[status] = _requests.GetValueOrDefault(status) + 1;
            var bucket = Array.FindIndex(TwisterLabMetrics.DurationBuckets, bound => seconds <= bound);
            _buckets[bucket < 0 ? _buckets.Length - 1 : bucket]++;
            _durationSum += seconds;
            if (agentSucceeded is { } succeeded)
            {
                _ = succeeded ? _agentSuccesses++ : _agentFailures++;
            }
        }
    }

    public string Render()
    {
        lock (_gate)
        {
            var text = new StringBuilder();
            text.AppendLine($"# TYPE {TwisterLabMetrics.Requests} counter");
            foreach (var (status, count) in _requests.OrderBy(pair => pair.Key))
            {
                text.AppendLine($"{TwisterLabMetrics.Requests}{{status=\"{status}\"}} {count}");
            }

            text.AppendLine($"# TYPE {TwisterLabMetrics.Duration} histogram");
            long cumulative = 0;
            for (var i = 0; i < _buckets.Length; i++)
            {
                cumulative += _buckets[i];
                var bound = i < TwisterLabMetrics.DurationBuckets.Length ? TwisterLabMetrics.DurationBuckets[i].ToString(CultureInfo.InvariantCulture) : "+Inf";
                text.AppendLine($"{TwisterLabMetrics.Duration}_bucket{{le=\"{bound}\"}} {cumulative}");
            }

            text.AppendLine(CultureInfo.InvariantCulture, $"{TwisterLabMetrics.Duration}_sum {_durationSum}");
            text.AppendLine($"{TwisterLabMetrics.Duration}_count {cumulative}");
            text.AppendLine($"# TYPE {TwisterLabMetrics.AgentRuns} counter");
            text.AppendLine($"{TwisterLabMetrics.AgentRuns}{{result=\"success\"}} {_agentSuccesses}");
            text.AppendLine($"{TwisterLabMetrics.AgentRuns}{{result=\"failure\"}} {_agentFailures}");
            text.AppendLine($"# TYPE {TwisterLabMetrics.DatabaseConnections} gauge");
            text.AppendLine($"{TwisterLabMetrics.DatabaseConnections} 5");
            // This process's own figures, as the API's Prometheus client exports its process's.
            using var process = System.Diagnostics.Process.GetCurrentProcess();
            text.AppendLine($"# TYPE {TwisterLabMetrics.ProcessMemory} gauge");
            text.AppendLine($"{TwisterLabMetrics.ProcessMemory} {process.WorkingSet64}");
            text.AppendLine($"# TYPE {TwisterLabMetrics.ProcessCpu} counter");
            text.AppendLine(CultureInfo.InvariantCulture, $"{TwisterLabMetrics.ProcessCpu} {process.TotalProcessorTime.TotalSeconds}");
            return text.ToString();
        }
    }
}
