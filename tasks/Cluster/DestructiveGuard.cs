namespace TwisterLab.Cake.Cluster;

/// <summary>
/// The guard on deletions: in production they need an explicit confirmation (the step passes --confirm through).
/// </summary>
public sealed record DestructiveGuard(bool Production, bool Confirmed)
{
    public static readonly DestructiveGuard NotProduction = new(false, false);

    public static readonly DestructiveGuard ConfirmedProduction = new(true, true);

    public void Check(string action)
    {
        if (Production && !Confirmed)
        {
            throw new ClusterException($"Refusing to {action} in production without confirmation. Re-run with --confirm once you are sure.");
        }
    }
}
