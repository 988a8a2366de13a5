namespace TwisterLab.Cake.Rehearsal;

/// <summary>What a watch saw during a scenario: one line to print, and what makes the world verdict fail.</summary>
public sealed record ScenarioWatchResult(string Line, IReadOnlyList<string> Problems);

/// <summary>
/// Something that runs beside a scenario's run, from after its "before" snapshot to the run's end, and judges what the
/// users of the world saw meanwhile (writes to the database, requests to the API).
/// </summary>
public interface IScenarioWatch : IAsyncDisposable
{
    Task<ScenarioWatchResult> StopAsync(CancellationToken cancellationToken);
}

/// <summary>
/// The synthetic traffic's requests during one scenario: a healthy rolling or blue-green upgrade must fail none
/// (readiness, maxUnavailable: 0, the Service switched only to Ready endpoints).
/// </summary>
public sealed class TrafficWatch(SyntheticTraffic traffic) : IScenarioWatch
{
    private readonly (long Sent, long Failed) _start = traffic.Counts;

    public Task<ScenarioWatchResult> StopAsync(CancellationToken cancellationToken)
    {
        var (sent, failed) = traffic.Counts;
        (sent, failed) = (sent - _start.Sent, failed - _start.Failed);
        var line = $"requests during the upgrade: {sent} sent, {failed} failed";
        IReadOnlyList<string> problems = failed > 0 || sent == 0 ? [sent == 0 ? "no request was sent during the upgrade" : $"{failed} of {sent} requests failed during a healthy upgrade"] : [];
        return Task.FromResult(new ScenarioWatchResult(line, problems));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
