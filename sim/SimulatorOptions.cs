namespace TwisterLab.KubeSim;

/// <summary>A simulated node: the kubelet it reports and whether it is a (NoSchedule-tainted) control-plane node.</summary>
public sealed record SimNode(string Name, string KubeletVersion = "v1.32.4", bool ControlPlane = false);

/// <summary>How a <see cref="SimulatedCluster"/> starts and behaves.</summary>
public sealed class SimulatorOptions
{
    /// <summary>Port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>How long a scheduled pod takes to go Pending → Running → Ready (tests use 50-200 ms).</summary>
    public TimeSpan PodStartDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The controllers' resync tick; they also run right after every change.</summary>
    public TimeSpan ControllerInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The nodes registered at start. Default: one control-plane node and two workers, kubelet v1.32.4.</summary>
    public IList<SimNode> Nodes { get; } = new List<SimNode>
    {
        new("twisterlab-control-plane", ControlPlane: true),
        new("twisterlab-worker"),
        new("twisterlab-worker2"),
    };

    /// <summary>Runs what is exec'd into pods. Default: <see cref="LocalProcessExecHandler"/>.</summary>
    public IExecHandler ExecHandler { get; set; } = new LocalProcessExecHandler();

    /// <summary>
    /// Where <c>kubectl port-forward</c> connections go. Default (null): the <see cref="ExecHandler"/> when it implements
    /// <see cref="IPortForwardHandler"/> (<see cref="LocalProcessExecHandler.WithPortForward"/>); otherwise no pod port
    /// answers.
    /// </summary>
    public IPortForwardHandler? PortForwardHandler { get; set; }

    /// <summary>Image rules in force from the start (more can be added through <see cref="SimulatedCluster.Faults"/>).</summary>
    public IList<ImageRule> ImageRules { get; } = new List<ImageRule>();

    /// <summary>
    /// The version /version reports (also changeable later with <see cref="SimulatedCluster.ServerVersion"/>). Keep
    /// v1.32.x for kubectl 1.32: the preinstalled kubectl dispatcher runs the kubectl of the server's minor version.
    /// </summary>
    public string ServerVersion { get; set; } = "v1.32.4";

    /// <summary>
    /// Serve HTTPS with a CA made at start (the kubeconfig carries it as certificate-authority-data), as a real
    /// cluster does. Off by default: plain HTTP keeps the existing callers (and clients that send no token) as they were.
    /// </summary>
    public bool Https { get; set; }

    /// <summary>Where the kubeconfig is written; default: a new temporary folder.</summary>
    public string? KubeconfigPath { get; set; }

    /// <summary>Namespaces that exist at start, besides default, kube-system, kube-public and kube-node-lease.</summary>
    public IList<string> Namespaces { get; } = new List<string>();
}
