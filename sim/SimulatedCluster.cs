using System.Net;
using System.Text.Json.Nodes;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TwisterLab.KubeSim.Api;
using TwisterLab.KubeSim.Controllers;
using TwisterLab.KubeSim.Exec;
using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim;

/// <summary>
/// An embedded Kubernetes API server with the deployment, replica set, daemon set, endpoints, disruption and
/// garbage-collection controllers and a simulated kubelet, on plain HTTP at 127.0.0.1. The real kubectl and
/// KubernetesClient talk to it through <see cref="KubeconfigPath"/> or <see cref="ClientConfiguration"/>.
/// </summary>
public sealed class SimulatedCluster : IAsyncDisposable
{
    public const string ContextName = "twisterlab-sim";

    readonly WebApplication app;
    readonly ControllerLoop controllers;
    readonly string? ownedKubeconfigFolder;
    Containers.PodSandboxes? sandboxes;
    Authentication authentication = null!;
    CallRecorder calls = null!;
    TlsIdentity? tls;

    SimulatedCluster(WebApplication app, ControllerLoop controllers, ObjectStore store, SimFaults faults, Uri baseUri, string kubeconfigPath, string? ownedFolder)
    {
        this.app = app;
        this.controllers = controllers;
        Store = store;
        Faults = faults;
        BaseUri = baseUri;
        KubeconfigPath = kubeconfigPath;
        ownedKubeconfigFolder = ownedFolder;
    }

    /// <summary>http://127.0.0.1:port/</summary>
    public Uri BaseUri { get; }

    /// <summary>A kubeconfig file whose current context is "twisterlab-sim" (namespace default).</summary>
    public string KubeconfigPath { get; }

    /// <summary>Fault injection: image rules, failing requests, dropped watches, NotReady nodes.</summary>
    public SimFaults Faults { get; }

    /// <summary>KubernetesClient configuration for this cluster: <c>new Kubernetes(cluster.ClientConfiguration)</c>.</summary>
    public KubernetesClientConfiguration ClientConfiguration =>
        KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath, ContextName);

    /// <summary>The kubeconfig as an object, for <c>KubernetesClientConfiguration.BuildConfigFromConfigObject</c>.</summary>
    public k8s.KubeConfigModels.K8SConfiguration Kubeconfig => KubernetesClientConfiguration.LoadKubeConfig(KubeconfigPath);

    internal ObjectStore Store { get; }

    /// <summary>The control plane's version as /version reports it, e.g. "v1.32.4"; set it to rehearse a control-plane upgrade.</summary>
    public string ServerVersion { get; set; } = "v1.32.4";

    /// <summary>Reports a new kubelet version for a node, as after upgrading its kubelet (kubectl get nodes shows it).</summary>
    public void SetKubeletVersion(string nodeName, string kubeletVersion) =>
        Store.Mutate(ResourceCatalog.Nodes, null, nodeName, node =>
        {
            var info = Json.Obj(Json.Obj(node, "status"), "nodeInfo");
            info["kubeletVersion"] = kubeletVersion;
            info["kubeProxyVersion"] = kubeletVersion;
            return node;
        });

    /// <summary>
    /// Registers a bearer token for a user of your own (as the apiserver's --token-auth-file would). RBAC decides what
    /// the user may do; a user in <c>system:masters</c> may do everything.
    /// </summary>
    public void AddToken(string token, string user, params string[] groups) =>
        authentication.AddToken(token, new UserInfo(user, [.. groups, "system:authenticated"]));

    /// <summary>
    /// A token for the ServiceAccount <paramref name="name"/> in <paramref name="ns"/> (which must exist), as
    /// <c>kubectl create token</c> gets one: it authenticates as <c>system:serviceaccount:ns:name</c>, valid for an hour
    /// and while that ServiceAccount lives.
    /// </summary>
    public string CreateServiceAccountToken(string ns, string name) => authentication.IssueServiceAccountToken(ns, name, TimeSpan.FromHours(1));

    /// <summary>A client certificate and key (PEM) signed by the simulator's CA: CN = user, O = groups. Needs HTTPS.</summary>
    public (string CertificatePem, string KeyPem) IssueClientCertificate(string user, params string[] groups) =>
        (tls ?? throw new InvalidOperationException("client certificates need SimulatorOptions.Https")).IssueClient(user, groups);

    /// <summary>Writes a kubeconfig for this cluster whose user is <paramref name="user"/> (a token or a client certificate).</summary>
    public void WriteKubeconfig(string path, KubeconfigUser user) => WriteKubeconfig(path, BaseUri, tls?.CaPem, user);

    /// <summary>Every distinct call each user made so far (verb, group, resource, subresource, namespace), for RBAC reviews.</summary>
    public IReadOnlyList<ApiCall> Calls => calls.Snapshot();

    /// <summary>Number of watch streams open right now (useful to check that clients close theirs).</summary>
    public int OpenWatches => Store.WatcherCount;

    public static async Task<SimulatedCluster> StartAsync(SimulatorOptions? options = null, CancellationToken ct = default)
    {
        options ??= new SimulatorOptions();
        var store = new ObjectStore();
        var registry = new Registry(store);
        var faults = new SimFaults(options.ImageRules);
        faults.Attach(store);
        Bootstrap(registry, options);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var tls = options.Https ? TlsIdentity.Create() : null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, options.Port, listen =>
            {
                if (tls is null) return;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = tls.Server,
                    // Client certificates are asked for but optional (token users send none); Authentication checks the
                    // chain to the simulator's CA itself, as the apiserver's x509 authenticator does.
                    ClientCertificateMode = ClientCertificateMode.AllowCertificate,
                    ClientCertificateValidation = (_, _, _) => true,
                });
            });
            k.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
        });
        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        SimulatedCluster? cluster = null;
        var sandboxes = new Containers.PodSandboxes();
        var logs = new Containers.PodLogs();
        var authentication = new Authentication(store, tls);
        var calls = new CallRecorder();
        var portForward = new PortForward.PortForwardEndpoint(store, () => options.PortForwardHandler ?? options.ExecHandler as IPortForwardHandler);
        var server = new ApiServer(registry, faults, new ExecEndpoint(store, faults, () => options.ExecHandler, sandboxes), portForward, new Eviction(registry),
            new PodLogEndpoint(store, logs), () => cluster?.ServerVersion ?? options.ServerVersion, authentication, new RbacAuthorizer(store), calls);
        app.Run(server.HandleAsync);
        await app.StartAsync(ct);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var baseUri = new Uri(address.Replace("[::1]", "127.0.0.1").TrimEnd('/') + "/");
        string? ownedFolder = null;
        var kubeconfigPath = options.KubeconfigPath;
        if (kubeconfigPath is null)
        {
            ownedFolder = Directory.CreateTempSubdirectory("kubesim-").FullName;
            kubeconfigPath = Path.Combine(ownedFolder, "kubeconfig");
        }
        WriteKubeconfig(kubeconfigPath, baseUri, tls?.CaPem);

        var events = new EventRecorder(registry);
        var pods = new PodLifecycle(registry, options, faults, events, new Containers.ContainerRuns(store, () => options.ExecHandler, logs, sandboxes));
        var loop = new ControllerLoop(store, options.ControllerInterval,
            pods.Sync,
            new ReplicaSetController(registry, events).Sync,
            new DeploymentController(registry, events).Sync,
            new DaemonSetController(registry).Sync,
            new JobController(registry, events).Sync,
            new StatefulSetController(registry, events).Sync,
            new EndpointsController(registry).Sync,
            new DisruptionController(registry).Sync,
            new GarbageCollector(registry).Sync);
        cluster = new SimulatedCluster(app, loop, store, faults, baseUri, kubeconfigPath, ownedFolder) 
        {
            ServerVersion = options.ServerVersion, sandboxes = sandboxes, authentication = authentication, calls = calls, tls = tls,
        };
        return cluster;
    }

    static void Bootstrap(Registry registry, SimulatorOptions options)
    {
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" }.Concat(options.Namespaces).Distinct())
            registry.Create(ResourceCatalog.Namespaces, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } });
        for (var i = 0; i < options.Nodes.Count; i++)
            registry.Store.Create(ResourceCatalog.Nodes, NodeStatus.Create(options.Nodes[i], i));
        BootstrapRbac.Create(registry);
        registry.Create(ResourceCatalog.Services, "default", new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "kubernetes", ["labels"] = new JsonObject { ["component"] = "apiserver", ["provider"] = "kubernetes" } },
            ["spec"] = new JsonObject
            {
                ["clusterIP"] = "10.96.0.1",
                ["ports"] = new JsonArray(new JsonObject { ["name"] = "https", ["port"] = 443, ["targetPort"] = 6443 }),
            },
        });
    }

    /// <summary>Writes a kubeconfig for this server: plain HTTP on loopback, the admin token, context twisterlab-sim.</summary>
    public static void WriteKubeconfig(string path, Uri server) => WriteKubeconfig(path, server, null);

    /// <summary>Writes a kubeconfig for the simulator at <paramref name="server"/>, trusting <paramref name="caPem"/> when it serves HTTPS.</summary>
    public static void WriteKubeconfig(string path, Uri server, string? caPem) => WriteKubeconfig(path, server, caPem, KubeconfigUser.Admin);

    static void WriteKubeconfig(string path, Uri server, string? caPem, KubeconfigUser user)
    {
        static string Base64(string pem) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(pem));
        var trust = caPem is null ? "" : $"\n    certificate-authority-data: {Base64(caPem)}";
        var credentials = user.Token is not null
            ? $"token: {user.Token}"
            : $"client-certificate-data: {Base64(user.CertificatePem!)}\n    client-key-data: {Base64(user.KeyPem!)}";
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var text = $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: {{ContextName}}
              cluster:
                server: {{server.ToString().TrimEnd('/')}}{{trust}}
            users:
            - name: {{ContextName}}
              user:
                {{credentials}}
            contexts:
            - name: {{ContextName}}
              context:
                cluster: {{ContextName}}
                user: {{ContextName}}
                namespace: default
            current-context: {{ContextName}}
            preferences: {}

            """;
        // The file holds a credential: readable by its owner only, as kubectl writes its own.
        File.WriteAllText(path, "");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.WriteAllText(path, text);
    }

    public async ValueTask DisposeAsync()
    {
        await controllers.DisposeAsync();
        Store.DropAllWatches();
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        await app.StopAsync(stopping.Token);
        await app.DisposeAsync();
        sandboxes?.Dispose();
        if (ownedKubeconfigFolder is not null)
        {
            try { Directory.Delete(ownedKubeconfigFolder, recursive: true); }
            catch (IOException) { }
        }
    }
}
