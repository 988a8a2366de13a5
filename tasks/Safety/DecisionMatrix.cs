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
}

/// <summary>
/// The guide's monitoring checklist and emergency-rollback decision matrix as one pure function: every finding
/// is listed, and the most severe decides. "Minor UI issues" and "user reports" cannot be measured here.
/// </summary>
public static class DecisionMatrix
{
    public static Decision Decide(HealthSample sample, Thresholds thresholds)
    {
        var findings = Evaluate(sample, thresholds).ToList();
        var worst = findings.OrderByDescending(finding => finding.Severity).ThenByDescending(finding => finding.Action).FirstOrDefault();
        return new Decision(worst?.Severity ?? Severity.None, worst?.Action ?? MatrixAction.Continue, findings);
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

        if (Degradation(sample) is { } degradation && degradation > 0)
        {
            // The guide only names "< 20%: monitor"; a larger slowdown is treated as a checklist failure.
            yield return degradation < limits.NotableDegradation
                ? new($"Performance degradation {degradation:P0} < {limits.NotableDegradation:P0}", Severity.Low, MatrixAction.Monitor)
                : new($"Performance degradation {degradation:P0} ≥ {limits.NotableDegradation:P0}", Severity.High, MatrixAction.PrepareRollback);
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

    private static double? Degradation(HealthSample sample) =>
        sample is { P95Seconds: { } now, BaselineP95Seconds: > 0 and var before } ? (now - before) / before : null;

    // A leak is a count that never falls and ends well above where it started; ordinary pools go up and down.
    private static bool IsLeaking(IReadOnlyList<double> connections) =>
        connections.Count >= 4 &&
        connections.Zip(connections.Skip(1)).All(pair => pair.Second >= pair.First) &&
        connections[^1] >= connections[0] * 1.5 + 2;
}
