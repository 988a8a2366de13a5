using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake.Metrics;

/// <summary>Where the Monitor step reads the new version's health from.</summary>
public interface IMetricsSource
{
    /// <summary>A readable name for logs and plans, e.g. the Prometheus URL.</summary>
    string Name { get; }

    /// <summary>Health over the time since the previous call (the first call sets the starting point).</summary>
    Task<HealthSample> SampleAsync(CancellationToken cancellationToken);
}
