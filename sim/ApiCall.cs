namespace TwisterLab.KubeSim;

/// <summary>
/// One kind of request a user made, as the authorizer saw it: the verb, API group, resource, subresource and namespace
/// ("" for cluster scope; a Namespace object's own name for namespaces, as upstream reads it). Read them from
/// <see cref="SimulatedCluster.Calls"/> to learn what a client needs from RBAC. <see cref="Path"/> is set instead of the
/// resource fields for a non-resource URL (/version, /api, ...).
/// </summary>
public sealed record ApiCall(string User, string Verb, string Group, string Resource, string Subresource, string Namespace, string? Path = null)
{
    /// <summary>"pods/exec", or "pods": how an RBAC rule names it.</summary>
    public string CombinedResource => Subresource.Length == 0 ? Resource : $"{Resource}/{Subresource}";

    public override string ToString() => Path is not null
        ? $"{User} {Verb} {Path}"
        : $"{User} {Verb} {(Group.Length == 0 ? "core" : Group)} {CombinedResource} {(Namespace.Length == 0 ? "(cluster)" : Namespace)}";
}
