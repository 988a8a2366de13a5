using System.Text;

namespace TwisterLab.Cake.Cluster;

/// <summary>One argument of a kubectl command line; a secret one renders as <see cref="Display"/> (masked) in text.</summary>
public sealed record KubectlArgument(string Value, string? Display = null)
{
    public bool IsSecret => Display is not null;

    public string Rendered => Display ?? Value;
}

/// <summary>
/// The kubectl command line equivalent to a gateway action. <see cref="ToString"/> is what plans and logs print
/// (secrets masked, shell-quoted); <see cref="Arguments"/> is what a test hands to the real kubectl.
/// </summary>
public sealed record KubectlCommand(IReadOnlyList<KubectlArgument> Items)
{
    public IReadOnlyList<string> Arguments => Items.Select(item => item.Value).ToList();

    /// <summary>Shell redirections shown after the command (e.g. "&lt; dump.sql"); not part of <see cref="Arguments"/>.</summary>
    public string? ShellSuffix { get; init; }

    public override string ToString()
    {
        var text = new StringBuilder("kubectl");
        foreach (var item in Items)
        {
            text.Append(' ').Append(Quote(item.Rendered));
        }

        if (ShellSuffix is not null)
        {
            text.Append(' ').Append(ShellSuffix);
        }

        return text.ToString();
    }

    public static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsLetterOrDigit(c) || "-_./:=,@%+".Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\\''") + "'";
}

/// <summary>
/// Builds <see cref="KubectlCommand"/>s with the connection's context and namespace, and the kubeconfig when one was
/// named (so that a plan's line, pasted into a terminal, reaches the cluster the plan was made for).
/// </summary>
public sealed class Kubectl(string? context, string @namespace, string? kubeconfig = null)
{
    public string Namespace => @namespace;

    /// <summary>A namespaced command: the arguments, then <c>-n ns</c> (and <c>--context</c> when one was chosen).</summary>
    public KubectlCommand Namespaced(params object[] arguments) => Build(arguments, namespaced: true);

    /// <summary>A cluster-scoped command (nodes, version).</summary>
    public KubectlCommand ClusterScoped(params object[] arguments) => Build(arguments, namespaced: false);

    private KubectlCommand Build(object[] arguments, bool namespaced)
    {
        var items = arguments.Select(argument => argument as KubectlArgument ?? new KubectlArgument(argument.ToString()!)).ToList();
        if (namespaced)
        {
            items.Add(new("-n"));
            items.Add(new(@namespace));
        }

        if (kubeconfig is not null)
        {
            items.Add(new("--kubeconfig"));
            items.Add(new(kubeconfig));
        }

        if (context is not null)
        {
            items.Add(new("--context"));
            items.Add(new(context));
        }

        return new KubectlCommand(items);
    }
}
