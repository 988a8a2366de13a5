using TwisterLab.KubeSim;

namespace TwisterLab.Cake.Cluster;

/// <summary>
/// --cluster=embedded: the simulated cluster (sim/) started in this process on 127.0.0.1, with a gateway connected to
/// it. Rehearsals run every procedure against it where no real cluster (or Docker for kind) is available.
/// Its kubeconfig file lets the real kubectl follow along (kubectl --kubeconfig &lt;KubeconfigPath&gt; get pods -A).
/// </summary>
public sealed class EmbeddedCluster : IEmbeddedCluster
{
    private EmbeddedCluster(SimulatedCluster simulator, ClusterGateway gateway)
    {
        Simulator = simulator;
        Gateway = gateway;
    }

    public SimulatedCluster Simulator { get; }

    public ClusterGateway Gateway { get; }

    public string KubeconfigPath => Simulator.KubeconfigPath;

    /// <summary>
    /// Starts the simulator (creating <paramref name="namespace"/>) and connects a gateway to it.
    /// <paramref name="configure"/> may set clocks, nodes, image rules or the exec handler.
    /// </summary>
    public static async Task<EmbeddedCluster> StartAsync(string @namespace, Action<SimulatorOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        var options = new SimulatorOptions();
        options.Namespaces.Add(@namespace);
        configure?.Invoke(options);
        var simulator = await SimulatedCluster.StartAsync(options, cancellationToken);
        try
        {
            var gateway = ClusterGateway.Connect(simulator.ClientConfiguration, new ClusterConnection(Namespace: @namespace));
            return new EmbeddedCluster(simulator, gateway);
        }
        catch
        {
            await simulator.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Gateway.Dispose();
        await Simulator.DisposeAsync();
    }
}
