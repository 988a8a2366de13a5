using TwisterLab.Cake.Context;

namespace TwisterLab.Cake.Rollback.Cluster;

/// <summary>
/// A node's kubelet upgraded by the node hook. There is no supported way back (kubelets are not downgraded across
/// versions), and a newer kubelet within the skew policy is a valid state: a failure after this holds for a person.
/// </summary>
public sealed record KubeletUpgraded(string Node, string? From, string To) : Compensation
{
    public override bool Irreversible => true;

    public override string Describe() => $"node {Node}: kubelet {From ?? "?"} -> {To} by the node upgrade hook (no automatic downgrade)";
}

public sealed class KubeletUpgradedHandler : CompensationHandler<KubeletUpgraded>
{
    protected override Task ApplyAsync(KubeletUpgraded compensation, CancellationToken cancellationToken) =>
        throw new InvalidOperationException(compensation.Describe());
}
