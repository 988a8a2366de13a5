using k8s;

namespace TwisterLab.Cake.Cluster;

/// <summary>
/// The one door to a Kubernetes cluster. Each focused gateway's actions can describe themselves as the kubectl
/// command an operator would type (Describe…/Command…), and each mutating action returns what its undo needs.
/// </summary>
public sealed class ClusterGateway : IDisposable
{
    /// <summary>The field manager of every write (server-side apply and patches).</summary>
    public const string FieldManager = "twisterlab-cake";

    private readonly Kubernetes? _owned;
    private readonly RetryOptions _retry;
    private readonly string? _context;

    /// <param name="kubeconfig">Named in the kubectl lines the actions describe (a plan's), when the user named one.</param>
    public ClusterGateway(IKubernetes client, string @namespace, RetryOptions? retry = null, string? context = null, RequestCounter? counter = null, string? kubeconfig = null)
        : this(new Lazy<IKubernetes>(client), @namespace, retry, context, counter, kubeconfig)
    {
    }

    private ClusterGateway(Lazy<IKubernetes> client, string @namespace, RetryOptions? retry, string? context, RequestCounter? counter, string? kubeconfig)
    {
        Namespace = @namespace;
        Requests = counter;
        _retry = retry ?? RetryOptions.Default;
        _context = context;
        var scope = new ClusterScope(client, new ApiCaller(retry ?? RetryOptions.Default), new Kubectl(context, @namespace, kubeconfig), @namespace);
        Scope = scope;
        Deployments = new Deployments(scope);
        Services = new Services(scope);
        Secrets = new Secrets(scope);
        Nodes = new Nodes(scope);
        Pods = new Pods(scope, Deployments);
        Manifests = new Manifests(scope);
        Volumes = new Volumes(scope);
        Jobs = new Jobs(scope, Deployments);
    }

    private ClusterGateway(Kubernetes client, string @namespace, RetryOptions retry, string? context, RequestCounter counter)
        : this((IKubernetes)client, @namespace, retry, context, counter) => _owned = client;

    /// <summary>
    /// A plan's gateway: its actions describe themselves as kubectl lines, and its client is built only if something
    /// calls the API (a plan calls nothing). Building one costs a dry run ~20 ms, and loading the client's types ~40 ms.
    /// </summary>
    public static ClusterGateway ForPlan(Func<IKubernetes> client, string @namespace, string? context, string? kubeconfig) =>
        new(new Lazy<IKubernetes>(client), @namespace, retry: null, context, counter: null, kubeconfig);

    /// <summary>Connects as <paramref name="connection"/> says (kubeconfig, context, namespace, in-cluster).</summary>
    public static ClusterGateway Connect(ClusterConnection connection) =>
        Connect(ClusterClientFactory.Configure(connection), connection);

    /// <summary>Connects with a ready configuration (e.g. the embedded simulator's); the connection gives namespace and retry.</summary>
    public static ClusterGateway Connect(KubernetesClientConfiguration configuration, ClusterConnection connection)
    {
        var counter = new RequestCounter();
        var @namespace = connection.Namespace ?? configuration.Namespace ?? "default";
        return new ClusterGateway(ClusterClientFactory.CreateClient(configuration, counter), @namespace, connection.Retry, connection.Context, counter)
        {
            ContextName = configuration.CurrentContext,
        };
    }

    public IKubernetes Client => Scope.Client;

    /// <summary>The API server URL this gateway talks to.</summary>
    public string Server => Client.BaseUri.ToString().TrimEnd('/');

    /// <summary>The kubeconfig context it was built from (null for a pod's service account or a ready-made client).</summary>
    public string? ContextName { get; private init; }

    /// <summary>Reads which cluster this is: the server, the context and the kube-system namespace's UID.</summary>
    public async Task<ClusterIdentity> ReadIdentityAsync(CancellationToken cancellationToken)
    {
        var kubeSystem = await Api.CallAsync("get namespace/kube-system (the cluster's id)",
            token => Client.CoreV1.ReadNamespaceAsync("kube-system", cancellationToken: token), cancellationToken);
        return new ClusterIdentity(Server, ContextName ?? _context, kubeSystem.Metadata.Uid);
    }

    public string Namespace { get; }

    /// <summary>Counts requests when this gateway built its own client (null otherwise).</summary>
    public RequestCounter? Requests { get; }

    internal ClusterScope Scope { get; }

    /// <summary>The retrying, error-translating caller, for API calls no focused gateway offers.</summary>
    public ApiCaller Api => Scope.Api;

    public Deployments Deployments { get; }

    public Services Services { get; }

    public Secrets Secrets { get; }

    public Nodes Nodes { get; }

    public Pods Pods { get; }

    public Manifests Manifests { get; }

    public Volumes Volumes { get; }

    public Jobs Jobs { get; }

    /// <summary>The run lock of this namespace (a Lease), held by <paramref name="holder"/>.</summary>
    public RunLock RunLock(string holder, TimeSpan? duration = null) => new(Scope, holder, duration ?? TimeSpan.FromSeconds(60));

    /// <summary>The run journals kept in this namespace (Secrets twisterlab-run-&lt;id&gt;).</summary>
    public RunJournalSecrets RunJournals => new(Scope);

    /// <summary>The same cluster, another namespace.</summary>
    public ClusterGateway InNamespace(string @namespace) =>
        new(Client, @namespace, _retry, _context, Requests) { ContextName = ContextName };

    public void Dispose() => _owned?.Dispose();
}
