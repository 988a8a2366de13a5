namespace TwisterLab.Cake.Cluster;

/// <summary>A simulated cluster running in this process for the length of a run (--cluster=embedded).</summary>
public interface IEmbeddedCluster : IAsyncDisposable
{
    ClusterGateway Gateway { get; }

    /// <summary>A kubeconfig file that lets the real kubectl follow along.</summary>
    string KubeconfigPath { get; }
}

/// <summary>
/// Where --cluster=embedded comes from. The simulator is not part of the library (its package must not depend on it):
/// the embedded world (embedded/, in the twisterlab tool and the repository's build host) registers its starter here.
/// A host without one refuses --cluster=embedded with a line that says where to get it.
/// </summary>
public static class EmbeddedClusters
{
    public delegate Task<IEmbeddedCluster> Starter(string @namespace, CancellationToken cancellationToken);

    private static Starter? _starter;

    public static bool Available => _starter is not null;

    public static void Register(Starter starter) => _starter = starter;

    public const string Missing =
        "--cluster=embedded needs the embedded world (the simulator), which this host does not carry: run the twisterlab tool " +
        "(dotnet tool install --global TwisterLab.Cake.Tool), or give a real cluster (--kubeconfig, --context) or --cluster=kind.";

    public static Task<IEmbeddedCluster> StartAsync(string @namespace, CancellationToken cancellationToken) =>
        (_starter ?? throw new Hosting.BadInputException(Missing))(@namespace, cancellationToken);
}
