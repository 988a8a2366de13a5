namespace TwisterLab.KubeSim;

/// <summary>A command "exec"ed into a simulated container.</summary>
/// <param name="Environment">The container's environment as the pod spec defines it (env and envFrom, with secret,
/// config map and field references resolved).</param>
public sealed record ExecRequest(
    string Namespace,
    string Pod,
    string Container,
    string Image,
    IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string> Environment,
    bool Tty,
    bool Stdin)
{
    /// <summary>The pod's own folder under the simulator's temporary folder; handlers start commands there.</summary>
    public string? WorkingDirectory { get; init; }
}

/// <summary>
/// Runs what <c>kubectl exec</c> and <c>NamespacedPodExecAsync</c> send to a pod. Write the command's output to
/// <paramref name="stdout"/> and <paramref name="stderr"/> and return its exit code. <paramref name="stdin"/> ends when
/// the client closes it (v5 protocol) or never (v4), so only read it when the command needs it.
/// </summary>
public interface IExecHandler
{
    Task<int> ExecAsync(ExecRequest request, Stream stdin, Stream stdout, Stream stderr, CancellationToken ct);
}
