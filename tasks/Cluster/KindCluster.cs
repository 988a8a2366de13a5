using System.ComponentModel;
using System.Diagnostics;

namespace TwisterLab.Cake.Cluster;

/// <summary>
/// --cluster=kind[=name]: a kind cluster on this machine's Docker engine, reached through the kubeconfig context kind
/// writes (kind-&lt;name&gt;, default kind-twisterlab). What it needs (the docker CLI, a Docker engine that answers, the
/// kind CLI) is checked before anything starts, dry runs included: a plan for a run that cannot start must say so.
/// Never met a Docker engine here: only the refusals are tested (against the real docker CLI, which has no engine).
/// </summary>
public static class KindCluster
{
    public const string DefaultName = "twisterlab";

    /// <summary>The cluster's name from the argument's value: "kind" or "kind=&lt;name&gt;".</summary>
    public static string Name(string clusterArgument) =>
        clusterArgument.StartsWith("kind=", StringComparison.Ordinal) ? clusterArgument["kind=".Length..] : DefaultName;

    public static string Context(string name) => "kind-" + name;

    /// <summary>Null when docker and kind can run a cluster; otherwise the one line naming what is missing and how to install it.</summary>
    public static string? Problem()
    {
        var docker = Run("docker", "version", "--format", "{{.Server.Version}}");
        if (docker is null)
        {
            return "--cluster=kind needs Docker: the docker CLI is not installed (https://docs.docker.com/engine/install/), nothing was started.";
        }

        if (docker.Value.ExitCode != 0)
        {
            return $"--cluster=kind needs a running Docker engine: docker version found none ({docker.Value.Error}); start it or install it (https://docs.docker.com/engine/install/), nothing was started.";
        }

        return Run("kind", "version") is { ExitCode: 0 }
            ? null
            : "--cluster=kind needs the kind CLI: install it (go install sigs.k8s.io/kind@v0.27.0, or https://kind.sigs.k8s.io/docs/user/quick-start/#installation), nothing was started.";
    }

    /// <summary>Whether kind knows the cluster (kind get clusters), so the context is a kind cluster and not a namesake.</summary>
    public static bool Exists(string name) =>
        Run("kind", "get", "clusters") is { ExitCode: 0 } clusters && clusters.Output.Split('\n', StringSplitOptions.TrimEntries).Contains(name);

    /// <summary>kind create cluster --name &lt;name&gt; (SandboxUp --cluster=kind, when it is missing).</summary>
    public static void Create(string name)
    {
        if (Run("kind", "create", "cluster", "--name", name) is not { ExitCode: 0 } created)
        {
            throw new ClusterException($"kind create cluster --name {name} failed.");
        }
    }

    private static (int ExitCode, string Output, string Error)? Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                process.Kill();
                return (-1, output, "no answer in 30 s");
            }

            return (process.ExitCode, output, error.Result.Trim().Split('\n')[0]);
        }
        catch (Win32Exception)
        {
            return null;  // not installed
        }
    }
}
