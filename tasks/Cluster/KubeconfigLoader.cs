using k8s;
using k8s.KubeConfigModels;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace TwisterLab.Cake.Cluster;

/// <summary>Where the cluster configuration comes from: the files in the order they are merged, or the pod's service account.</summary>
/// <param name="Origin">How it was chosen, for messages: "--kubeconfig", "$KUBECONFIG", "~/.kube/config" or "in-cluster".</param>
public sealed record KubeconfigSource(string Origin, IReadOnlyList<string> Files)
{
    public bool InCluster => Files.Count == 0;

    public override string ToString() => InCluster ? "the pod's service account" : $"kubeconfig {string.Join(Path.PathSeparator, Files)} (from {Origin})";
}

/// <summary>
/// Chooses and reads the kubeconfig exactly as kubectl does (client-go's clientcmd loading rules):
/// <c>--kubeconfig</c> &gt; <c>$KUBECONFIG</c> (a list, merged) &gt; <c>~/.kube/config</c> &gt; the in-cluster service account.
/// Each file is parsed into KubernetesClient's kubeconfig model (see <see cref="Read"/>) and the result built by
/// KubernetesClient (<see cref="KubernetesClientConfiguration.BuildConfigFromConfigObject"/>). What it lacks is
/// written here. Its own list merge is internal and reached only through <c>BuildDefaultConfig</c>, which (KubernetesClient
/// 21, KubernetesClientConfiguration.ConfigFile.cs) fails on a missing or empty entry of <c>$KUBECONFIG</c> (kubectl skips
/// them), keeps an empty <c>current-context: ""</c> of the first file (kubectl takes the first non-empty one), resolves a
/// later file's relative certificate paths against the first file's folder (kubectl: against their own file's), throws
/// a NullReferenceException on an empty file, matches context names ignoring case (kubectl does not), and falls back to
/// http://localhost:8080 when nothing is found.
/// </summary>
public static class KubeconfigLoader
{
    /// <summary>Set by build.sh/build.ps1 to the directory the user ran them from, before they change to the repository.</summary>
    public const string CallerDirectoryVariable = "TWISTERLAB_CALLER_DIR";

    /// <summary>The directory relative <c>--kubeconfig</c> and <c>$KUBECONFIG</c> entries resolve against: the user's, not the repository.</summary>
    public static string CallerDirectory() =>
        Environment.GetEnvironmentVariable(CallerDirectoryVariable) is { Length: > 0 } caller ? caller : Environment.CurrentDirectory;

    /// <summary>Chooses from this process's environment (KUBECONFIG, HOME, KUBERNETES_SERVICE_HOST).</summary>
    public static KubeconfigSource Choose(string? explicitPaths, string? callerDirectory = null) =>
        Choose(explicitPaths, callerDirectory ?? CallerDirectory(), Environment.GetEnvironmentVariable("KUBECONFIG"),
            KubernetesClientConfiguration.KubeConfigDefaultLocation, KubernetesClientConfiguration.IsInCluster());

    public static KubeconfigSource Choose(string? explicitPaths, string callerDirectory, string? kubeconfigVariable, string defaultFile, bool inCluster)
    {
        if (explicitPaths is not null)
        {
            // kubectl's --kubeconfig takes one file; a list is accepted here too, and then every file must exist.
            var files = Split(explicitPaths, callerDirectory);
            if (files.Count == 0)
            {
                throw new KubeconfigException("--kubeconfig: no file given: pass --kubeconfig=<file>, or leave it out to use $KUBECONFIG or ~/.kube/config.");
            }

            foreach (var file in files.Where(file => !File.Exists(file)))
            {
                throw new KubeconfigException($"--kubeconfig: '{file}' does not exist (relative paths are read from {callerDirectory}). Pass an existing kubeconfig file.");
            }

            return new KubeconfigSource("--kubeconfig", files);
        }

        if (!string.IsNullOrEmpty(kubeconfigVariable))
        {
            // client-go: entries that do not exist are skipped, duplicates read once.
            var listed = Split(kubeconfigVariable, callerDirectory);
            var existing = listed.Where(File.Exists).ToList();
            return existing.Count > 0
                ? new KubeconfigSource("$KUBECONFIG", existing)
                : throw new KubeconfigException($"$KUBECONFIG names no existing file ({kubeconfigVariable}): fix it or unset it to use ~/.kube/config.");
        }

        if (File.Exists(defaultFile))
        {
            return new KubeconfigSource("~/.kube/config", [defaultFile]);
        }

        return inCluster
            ? new KubeconfigSource("in-cluster", [])
            : throw new KubeconfigException($"No kubeconfig: {defaultFile} does not exist and $KUBECONFIG is not set. Pass --kubeconfig=<file> or set KUBECONFIG (kubectl config view shows what kubectl reads).");
    }

    /// <summary>Reads and merges the files: the first file to set a cluster, user or context wins; current-context is the first non-empty one.</summary>
    public static K8SConfiguration Load(KubeconfigSource source)
    {
        K8SConfiguration? merged = null;
        foreach (var file in source.Files)
        {
            var one = Read(file);
            if (one is null)
            {
                continue; // kubectl reads an empty file as an empty config
            }

            AbsolutizePaths(one, Path.GetDirectoryName(file)!);
            merged = merged is null ? one : Merge(merged, one);
        }

        if (merged is null || !(merged.Contexts?.Any() ?? false))
        {
            throw new KubeconfigException($"The {source} has no context: it is empty or not a kubeconfig. Check it with kubectl config view.");
        }

        return merged;
    }

    /// <summary>The client configuration for <paramref name="context"/> (null: the merged current-context).</summary>
    public static KubernetesClientConfiguration Build(KubeconfigSource source, string? context)
    {
        var merged = Load(source);
        var chosen = context ?? (string.IsNullOrEmpty(merged.CurrentContext) ? null : merged.CurrentContext)
            ?? throw new KubeconfigException($"The {source} sets no current-context: pass --context=<name> (kubectl config get-contexts).");
        if (!merged.Contexts.Any(candidate => candidate.Name == chosen))
        {
            throw new KubeconfigException($"Context '{chosen}' is not in the {source}: pick one of {string.Join(", ", merged.Contexts.Select(c => c.Name))} with --context.");
        }

        try
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigObject(merged, chosen);
        }
        catch (Exception exception) when (exception is k8s.Exceptions.KubeConfigException or IOException or UnauthorizedAccessException)
        {
            throw new KubeconfigException($"Cannot use context '{chosen}' of the {source}: {exception.Message}. Check it with kubectl config view --minify --context={chosen}.", exception);
        }
    }

    private static List<string> Split(string list, string baseDirectory) =>
        list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(path => Path.GetFullPath(ExpandHome(path), baseDirectory))
            .Distinct(StringComparer.Ordinal)
            .ToList();

    private static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), path.TrimStart('~').TrimStart('/'))
            : path;

    /// <summary>
    /// KubernetesClient's own reader (LoadKubeConfig) goes through KubernetesYaml, whose static constructor reflects over
    /// every API model type: 0.29 s of a 0.7 s dry run on a machine with a kubeconfig, every run. The kubeconfig's types
    /// need none of it. This is the same deserializer (camelCase names, the models' YamlMember aliases, unknown keys
    /// ignored, unquoted scalars typed) over those types alone.
    /// </summary>
    private static readonly IDeserializer KubeconfigYaml = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .WithAttemptingUnquotedStringTypeDeserialization()
        .IgnoreUnmatchedProperties()
        .Build();

    /// <summary>One file as written: its relative paths stay relative (they are made absolute per file, before merging).</summary>
    private static K8SConfiguration? Read(string file)
    {
        try
        {
            return KubeconfigYaml.Deserialize<K8SConfiguration?>(File.ReadAllText(file));
        }
        catch (Exception exception) when (exception is UnauthorizedAccessException or IOException)
        {
            throw new KubeconfigException($"Cannot read the kubeconfig '{file}': {exception.Message}. Check the file and its permissions.", exception);
        }
        catch (Exception exception) when (exception is not KubeconfigException)
        {
            throw new KubeconfigException($"'{file}' is not a kubeconfig ({exception.Message.Split('\n')[0]}). Check it with kubectl config view --kubeconfig={file}.", exception);
        }
    }

    // client-go resolves a file's relative paths against that file's folder (clientcmd ResolveLocalPaths).
    private static void AbsolutizePaths(K8SConfiguration config, string folder)
    {
        foreach (var cluster in config.Clusters ?? [])
        {
            if (cluster.ClusterEndpoint is { CertificateAuthority: { Length: > 0 } ca } endpoint)
            {
                endpoint.CertificateAuthority = Path.GetFullPath(ca, folder);
            }
        }

        foreach (var user in config.Users ?? [])
        {
            if (user.UserCredentials is not { } credentials)
            {
                continue;
            }

            if (credentials.ClientCertificate is { Length: > 0 } certificate)
            {
                credentials.ClientCertificate = Path.GetFullPath(certificate, folder);
            }

            if (credentials.ClientKey is { Length: > 0 } key)
            {
                credentials.ClientKey = Path.GetFullPath(key, folder);
            }
        }
    }

    private static K8SConfiguration Merge(K8SConfiguration first, K8SConfiguration next)
    {
        first.CurrentContext = string.IsNullOrEmpty(first.CurrentContext) ? next.CurrentContext : first.CurrentContext;
        first.Clusters = FirstWins(first.Clusters, next.Clusters, cluster => cluster.Name);
        first.Users = FirstWins(first.Users, next.Users, user => user.Name);
        first.Contexts = FirstWins(first.Contexts, next.Contexts, context => context.Name);
        first.Extensions = FirstWins(first.Extensions, next.Extensions, extension => extension.Name);
        return first;
    }

    private static List<T> FirstWins<T>(IEnumerable<T>? first, IEnumerable<T>? next, Func<T, string> name)
    {
        var merged = (first ?? []).ToList();
        var seen = merged.Select(name).ToHashSet(StringComparer.Ordinal);
        merged.AddRange((next ?? []).Where(item => seen.Add(name(item))));
        return merged;
    }
}

/// <summary>The kubeconfig is missing, unreadable, empty or lacks the context asked for: bad input, nothing was changed.</summary>
public sealed class KubeconfigException(string message, Exception? inner = null) : ClusterException(message, inner);
