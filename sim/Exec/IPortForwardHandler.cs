using System.Net;

namespace TwisterLab.KubeSim;

/// <summary>A connection <c>kubectl port-forward</c> opens to a port of a simulated pod.</summary>
/// <param name="Images">The images of the pod's containers (a pod's containers share its network namespace).</param>
public sealed record PortForwardRequest(string Namespace, string Pod, IReadOnlyList<string> Images, int Port);

/// <summary>
/// Where the simulator sends a port-forwarded connection: a local TCP endpoint standing in for the pod's port (the
/// throwaway PostgreSQL behind a postgres pod), or null when nothing listens there — the client then gets the error a
/// kubelet reports for a refused connection. An <see cref="IExecHandler"/> that also implements this interface is used
/// when <see cref="SimulatorOptions.PortForwardHandler"/> is not set.
/// </summary>
public interface IPortForwardHandler
{
    EndPoint? Resolve(PortForwardRequest request);
}
