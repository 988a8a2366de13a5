using System.Collections.Concurrent;

namespace TwisterLab.KubeSim.Api;

/// <summary>
/// Records the distinct calls each user made (verb, group, resource, subresource, namespace; not object names, so the
/// set stays small however long the simulator runs), so a test can list what a client needed from RBAC.
/// </summary>
internal sealed class CallRecorder
{
    const int Limit = 50_000;
    readonly ConcurrentDictionary<ApiCall, byte> calls = new();

    public void Record(UserInfo user, RequestAttributes request)
    {
        if (calls.Count >= Limit) return;
        calls.TryAdd(new ApiCall(user.Name, request.Verb, request.Group, request.Resource, request.Subresource, request.Namespace, request.Path), 0);
    }

    public IReadOnlyList<ApiCall> Snapshot() => calls.Keys.OrderBy(c => c.ToString(), StringComparer.Ordinal).ToList();
}
