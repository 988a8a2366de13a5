namespace TwisterLab.KubeSim.Tests.Parity;

/// <summary>
/// The world every parity suite measures: the simulator as a sandbox starts it (over HTTPS, with the CA in the
/// kubeconfig), and behind the nginx pods' port 80 a local echo server, for the port-forward cases.
/// </summary>
public abstract class ParityClusterTest : ClusterTest
{
    protected TcpEchoServer Echo { get; } = new();

    protected override void Configure(SimulatorOptions options)
    {
        options.Https = true;
        options.ExecHandler = new LocalProcessExecHandler().WithPortForward("nginx:*", 80, Echo.EndPoint);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Echo.Dispose();
    }
}
