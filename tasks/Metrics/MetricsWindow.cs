
namespace TwisterLab.Cake.Metrics;

/// <summary>Where the Monitor step reads the new version's health from.</summary>
public interface IMetricsSource
{
    /// <summary>A readable name for logs and plans, e.g. the Prometheus URL.</summary>
    string Name { get; }

    /// <summary>
    /// Health since the first call (which sets the starting point). Judging the whole window so far, rather than
    /// the last interval, keeps a few requests in a quiet interval from deciding a rollback.
    /// </summary>
    Task<HealthSample> SampleAsync(CancellationToken cancellationToken);
}
