namespace TwisterLab.Cake.Cluster;

/// <summary>
/// A cluster action that failed for a reason retrying will not fix. The message names the verb, the resource and the fix.
/// </summary>
public class ClusterException : Exception
{
    public ClusterException(string message, Exception? inner = null, int? statusCode = null)
        : base(message, inner) => StatusCode = statusCode;

    /// <summary>The HTTP status of the API answer, when there was one.</summary>
    public int? StatusCode { get; }
}
