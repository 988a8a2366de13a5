using TwisterLab.Cake.Safety;
using TwisterLab.Cake.Metrics;

namespace TwisterLab.Cake.Tests;

/// <summary>The guide's decision matrix, row by row, and its checklist.</summary>
public sealed class DecisionMatrixTests
{
    private static readonly Thresholds Guide = new();

    public static TheoryData<string, HealthSample, Severity, MatrixAction> Rows() => new()
    {
        { "healthy", new HealthSample { ErrorRate = 0.002, P95Seconds = 0.2, P99Seconds = 0.4, AgentSuccessRate = 0.99 }, Severity.None, MatrixAction.Continue },
        { "error rate > 5%", new HealthSample { ErrorRate = 0.08 }, Severity.Critical, MatrixAction.ImmediateRollback },
        { "error rate exactly 5% is still high, not critical", new HealthSample { ErrorRate = 0.05 }, Severity.High, MatrixAction.PrepareRollback },
        { "error rate 1-5%", new HealthSample { ErrorRate = 0.02 }, Severity.High, MatrixAction.PrepareRollback },
        { "API latency > 5s", new HealthSample { P95Seconds = 6, ErrorRate = 0 }, Severity.Critical, MatrixAction.ImmediateRollback },
        { "p99 > 5s", new HealthSample { P95Seconds = 0.3, P99Seconds = 7 }, Severity.Critical, MatrixAction.ImmediateRollback },
        { "database corruption", new HealthSample { IntegrityIntact = false, ErrorRate = 0.09 }, Severity.Critical, MatrixAction.StopAndRestoreBackup },
        { "p95 over the checklist", new HealthSample { P95Seconds = 0.7 }, Severity.High, MatrixAction.PrepareRollback },
        { "p99 over the checklist", new HealthSample { P99Seconds = 1.5 }, Severity.High, MatrixAction.PrepareRollback },
        { "degradation < 20%", new HealthSample { P95Seconds = 0.45, BaselineP95Seconds = 0.39 }, Severity.Low, MatrixAction.Monitor },
        { "degradation >= 20%", new HealthSample { P95Seconds = 0.3, BaselineP95Seconds = 0.2 }, Severity.High, MatrixAction.ImmediateRollback },
        { "mean slower < 20% than the baseline", new HealthSample { MeanSeconds = 0.66, P95Seconds = 0.4, Baseline = new() { MeanSeconds = 0.6, P95Seconds = 0.1 } }, Severity.Low, MatrixAction.Monitor },
        { "mean slower >= 20% than the baseline", new HealthSample { MeanSeconds = 0.2, Baseline = new() { MeanSeconds = 0.1 } }, Severity.High, MatrixAction.ImmediateRollback },
        { "2 ms against 1 ms is not degradation", new HealthSample { MeanSeconds = 0.002, Baseline = new() { MeanSeconds = 0.001 } }, Severity.None, MatrixAction.Continue },
        { "memory leaking", new HealthSample { MemoryBytes = [100e6, 120e6, 160e6, 210e6] }, Severity.Medium, MatrixAction.Monitor },
        { "memory well above the baseline", new HealthSample { MemoryBytes = [300e6, 290e6], Baseline = new() { MemoryBytes = [100e6] } }, Severity.Medium, MatrixAction.Monitor },
        { "memory as before", new HealthSample { MemoryBytes = [110e6, 105e6], Baseline = new() { MemoryBytes = [100e6] } }, Severity.None, MatrixAction.Continue },
        { "CPU twice the baseline", new HealthSample { CpuCores = 0.8, Baseline = new() { CpuCores = 0.3 } }, Severity.Medium, MatrixAction.Monitor },
        { "free disk falling", new HealthSample { DiskFreeBytes = [50e9, 45e9, 40e9] }, Severity.Medium, MatrixAction.Monitor },
        { "agent success < 95%", new HealthSample { AgentSuccessRate = 0.9 }, Severity.High, MatrixAction.PrepareRollback },
        { "connection leak", new HealthSample { DatabaseConnections = [10, 12, 15, 19, 24, 30] }, Severity.High, MatrixAction.PrepareRollback },
        { "pool going up and down is fine", new HealthSample { DatabaseConnections = [10, 14, 11, 15, 12, 13] }, Severity.None, MatrixAction.Continue },
        { "nothing measured", new HealthSample(), Severity.None, MatrixAction.Continue },
        { "too few requests to judge a rate", new HealthSample { Requests = 12, ErrorRate = 0.25 }, Severity.None, MatrixAction.Continue },
        { "enough requests", new HealthSample { Requests = 120, ErrorRate = 0.25 }, Severity.Critical, MatrixAction.ImmediateRollback },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Decides_like_the_guide(string row, HealthSample sample, Severity severity, MatrixAction action)
    {
        var decision = DecisionMatrix.Decide(sample, Guide);

        Assert.True(severity == decision.Severity && action == decision.Action, $"{row}: got {decision.Severity}/{decision.Action} ({decision.Summary})");
    }

    [Fact]
    public void Says_which_checklist_rows_it_could_not_measure()
    {
        Assert.Equal(["performance degradation (no baseline before the change)", "memory", "CPU", "disk", "database integrity"], DecisionMatrix.Decide(new HealthSample(), Guide).NotMeasured);
        var measured = new HealthSample { MeanSeconds = 0.1, MemoryBytes = [1e8], CpuCores = 0.1, DiskFreeBytes = [1e9], IntegrityIntact = true, Baseline = new() { MeanSeconds = 0.1 } };
        Assert.Empty(DecisionMatrix.Decide(measured, Guide).NotMeasured);
    }

    [Fact]
    public void Lists_every_finding_and_lets_the_worst_decide()
    {
        var decision = DecisionMatrix.Decide(new HealthSample { ErrorRate = 0.03, P95Seconds = 5.5, AgentSuccessRate = 0.5 }, Guide);

        Assert.Equal(MatrixAction.ImmediateRollback, decision.Action);
        Assert.Equal(3, decision.Findings.Count);
    }
}
