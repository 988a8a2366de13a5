using TwisterLab.Cake.Metrics;

namespace TwisterLab.Cake.Safety;

public enum Severity
{
    None,
    Low,
    Medium,
    High,
    Critical,
}

/// <summary>What the run does about what it saw, mildest first.</summary>
public enum MatrixAction
{
    Continue,
    Monitor,
    PrepareRollback,
    ImmediateRollback,
    StopAndRestoreBackup,
}

public sealed record Finding(string Issue, Severity Severity, MatrixAction Action);

public sealed record Decision(Severity Severity, MatrixAction Action, IReadOnlyList<Finding> Findings)
{
    public string Summary => Findings.Count == 0 ? "healthy" : string.Join("; ", Findings.Select(finding => $"{finding.Issue} ({finding.Severity}: {finding.Action})"));

    /// <summary>Checklist rows the sample had no measure for (said, never passed silently).</summary>
    public IReadOnlyList<string> NotMeasured { get; init; } = [];
}

/// <summary>
/// The guide's monitoring checklist and emergency-rollback decision matrix as one pure function: every finding
/// is listed, and the most severe decides. "Minor UI issues" and "user reports" cannot be measured here.
/// </summary>
public static class DecisionMatrix
{
    public static Decision Decide(HealthSample sample, Thresholds thresholds)
    {
        var findings = Evaluate(sample, thresholds).Concat(Resources(sample, thresholds)).ToList();
        var worst = findings.OrderByDescending(finding => finding.Severity).ThenByDescending(finding => finding.Action).FirstOrDefault();
        return new Decision(worst?.Severity ?? Severity.None, worst?.Action ?? MatrixAction.Continue, findings) { NotMeasured = NotMeasured(sample).ToList() };
    }

    /// <summary>The checklist rows this sample cannot judge, by name.</summary>
    public static IEnumerable<string> NotMeasured(HealthSample sample)
    {
        if (Degradation(sample) is null) yield return "performance degradation (no baseline before the change)";
        if (sample.MemoryBytes.Count == 0) yield return "memory";
        if (sample.CpuCores is null) yield return "CPU";
        if (sample.DiskFreeBytes.Count == 0) yield return "disk";
        if (sample.IntegrityIntact is null) yield return "database integrity";
    }

    /// <summary>
    /// The checklist's memory, CPU and disk rows, where measured. The matrix has no row for them, so a value out of range
    /// is a Medium finding to watch (noted), never a rollback on its own.
    /// </summary>
    private static IEnumerable<Finding> Resources(HealthSample sample, Thresholds limits)
    {
        var memory = sample.MemoryBytes;
        if (IsLeaking(memory))
        {
            yield return new($"Memory keeps growing ({memory[0] / 1e6:0} → {memory[^1] / 1e6:0} MB): a leak?", Severity.Medium, MatrixAction.Monitor);
        }
        else if (memory.Count > 0 && sample.Baseline?.MemoryBytes is { Count: > 0 } before && memory[^1] > before[^1] * (1 + limits.MaxResourceGrowth))
        {
            yield return new($"Memory {memory[^1] / 1e6:0} MB, {before[^1] / 1e6:0} MB before the change", Severity.Medium, MatrixAction.Monitor);
        }

        if (sample is { CpuCores: { } cpu, Baseline.CpuCores: { } cpuBefore } && cpu > cpuBefore * (1 + limits.MaxResourceGrowth) && cpu - cpuBefore > 0.05)
        {
            yield return new($"CPU {cpu:0.00} cores, {cpuBefore:0.00} before the change", Severity.Medium, MatrixAction.Monitor);
        }

        if (sample.DiskFreeBytes is { Count: >= 2 } disk && disk[^1] < disk[0] * (1 - limits.MaxResourceGrowth / 5))
        {
            yield return new($"Free disk falling ({disk[0] / 1e9:0.0} → {disk[^1] / 1e9:0.0} GB in the window)", Severity.Medium, MatrixAction.Monitor);
        }
    }

    private static IEnumerable<Finding> Evaluate(HealthSample sample, Thresholds limits)
    {
        if (sample.IntegrityIntact == false)
        {
            yield return new("Database corruption: integrity snapshot differs", Severity.Critical, MatrixAction.StopAndRestoreBackup);
        }

        if (sample.Requests < limits.MinimumRequests)
        {
            // Two errors in ten requests is not a 20 % error rate worth a rollback: judge rates on enough traffic.
            yield break;
        }

        if (sample.ErrorRate is { } errors)
        {
            if (errors > limits.RollbackErrorRate)
            {
                yield return new($"Error rate {errors:P1} > {limits.RollbackErrorRate:P0}", Severity.Critical, MatrixAction.ImmediateRollback);
            }
            else if (errors >= limits.MaxErrorRate)
            {
                yield return new($"Error rate {errors:P1} between {limits.MaxErrorRate:P0} and {limits.RollbackErrorRate:P0}", Severity.High, MatrixAction.PrepareRollback);
            }
        }

        var slowest = new[] { sample.P95Seconds, sample.P99Seconds }.Max();
        if (slowest > limits.RollbackLatencySeconds)
        {
            yield return new($"API latency {slowest:0.###} s > {limits.RollbackLatencySeconds:0.###} s", Severity.Critical, MatrixAction.ImmediateRollback);
        }
        else
        {
            if (sample.P95Seconds > limits.MaxP95Seconds)
            {
                yield return new($"p95 {sample.P95Seconds:0.###} s > {limits.MaxP95Seconds:0.###} s", Severity.High, MatrixAction.PrepareRollback);
            }

            if (sample.P99Seconds > limits.MaxP99Seconds)
            {
                yield return new($"p99 {sample.P99Seconds:0.###} s > {limits.MaxP99Seconds:0.###} s", Severity.High, MatrixAction.PrepareRollback);
            }
        }

        if (Degradation(sample) is { } degradation && degradation > 0 && Slowdown(sample) >= limits.MinDegradationSeconds)
        {
            // The guide only names "< 20%: monitor"; a larger slowdown than the guide tolerates is rolled back.
            yield return degradation < limits.NotableDegradation
                ? new($"Performance degradation {degradation:P0} < {limits.NotableDegradation:P0}", Severity.Low, MatrixAction.Monitor)
                : new($"Performance degradation {degradation:P0} ≥ {limits.NotableDegradation:P0}", Severity.High, MatrixAction.ImmediateRollback);
        }

        if (sample.AgentSuccessRate < limits.MinAgentSuccessRate)
        {
            yield return new($"Agent success rate {sample.AgentSuccessRate:P1} < {limits.MinAgentSuccessRate:P0}", Severity.High, MatrixAction.PrepareRollback);
        }

        if (IsLeaking(sample.DatabaseConnections))
        {
            yield return new($"Database connections keep growing ({sample.DatabaseConnections[0]:0} → {sample.DatabaseConnections[^1]:0})", Severity.High, MatrixAction.PrepareRollback);
        }
    }

    /// <summary>The slowdown in seconds behind <see cref="Degradation"/> (mean, else p95).</summary>
    private static double Slowdown(HealthSample sample) =>
        sample is { MeanSeconds: { } mean, Baseline.MeanSeconds: > 0 and var meanBefore }
            ? mean - meanBefore
            : (sample.P95Seconds ?? 0) - (sample.Baseline?.P95Seconds ?? sample.BaselineP95Seconds ?? 0);

    /// <summary>
    /// How much slower than before the change: the mean duration when both are known (histogram quantiles only move
    /// when requests change bucket), else p95 and p99, the larger slowdown.
    /// </summary>
    public static double? Degradation(HealthSample sample)
    {
        if (sample is { MeanSeconds: { } mean, Baseline.MeanSeconds: > 0 and var meanBefore })
        {
            return (mean - meanBefore) / meanBefore;
        }

        var p95Before = sample.Baseline?.P95Seconds ?? sample.BaselineP95Seconds;
        var slowdowns = new[] { Slowdown(sample.P95Seconds, p95Before), Slowdown(sample.P99Seconds, sample.Baseline?.P99Seconds) }.OfType<double>().ToList();
        return slowdowns.Count > 0 ? slowdowns.Max() : null;
        static double? Slowdown(double? now, double? before) => now is { } value && before is > 0 ? (value - before.Value) / before.Value : null;
    }

    // A leak is a count that never falls and ends well above where it started; ordinary pools go up and down.
    private static bool IsLeaking(IReadOnlyList<double> connections) =>
        connections.Count >= 4 &&
        connections.Zip(connections.Skip(1)).All(pair => pair.Second >= pair.First) &&
        connections[^1] >= connections[0] * 1.5 + 2;
}
