using System.Diagnostics;
using System.Text.Json;
using TwisterLab.Cake.Cluster;
using TwisterLab.KubeSim;

namespace TwisterLab.Cluster.Tests;

/// <summary>
/// The kubeconfig is chosen and merged as the real kubectl does it: the same files give the same current-context,
/// contexts, clusters and users as <c>kubectl config view --merge</c>; the cluster id is the kube-system UID.
/// </summary>
public sealed class KubeconfigLoaderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("kubeconfig-merge-").FullName;

    [Fact]
    public async Task A_KUBECONFIG_list_merges_as_kubectl_merges_it()
    {
        // a.yaml: an empty current-context, a cluster, user and context also named in b.yaml (the first file wins).
        // Between them: an empty entry, a file that does not exist and an empty file, all of which kubectl skips.
        Write("a.yaml", Config("\"\"", ("shared", "http://127.0.0.1:1111", "ca-a.crt"), ("only-a", "http://127.0.0.1:1112", null),
            token: "a", ("shared-ctx", "shared", "from-a"), ("a-ctx", "only-a", null)));
        Write("sub/b.yaml", Config("b-ctx", ("shared", "http://127.0.0.1:2221", null), ("only-b", "http://127.0.0.1:2222", "ca-b.crt"),
            token: "b", ("shared-ctx", "shared", "from-b"), ("b-ctx", "only-b", null)));
        Write("empty.yaml", "");
        var list = string.Join(':', "a.yaml", "", "missing.yaml", "empty.yaml", "sub/b.yaml");

        var kubectl = await KubectlViewAsync(list);
        var ours = KubeconfigLoader.Load(KubeconfigLoader.Choose(null, _folder, list, "/nonexistent/config", inCluster: false));

        Assert.Equal(kubectl.GetProperty("current-context").GetString(), ours.CurrentContext);
        Assert.Equal("b-ctx", ours.CurrentContext);
        Assert.Equal(
            kubectl.GetProperty("contexts").EnumerateArray().Select(c => $"{c.GetProperty("name")}: {c.GetProperty("context").GetProperty("cluster")} {c.GetProperty("context").GetProperty("user")} {Namespace(c.GetProperty("context"))}").Order(),
            ours.Contexts.Select(c => $"{c.Name}: {c.ContextDetails.Cluster} {c.ContextDetails.User} {c.ContextDetails.Namespace}").Order());
        Assert.Equal(
            kubectl.GetProperty("clusters").EnumerateArray().Select(c => $"{c.GetProperty("name")}: {c.GetProperty("cluster").GetProperty("server")}").Order(),
            ours.Clusters.Select(c => $"{c.Name}: {c.ClusterEndpoint.Server}").Order());
        Assert.Equal(
            kubectl.GetProperty("users").EnumerateArray().Select(u => $"{u.GetProperty("name")}: {u.GetProperty("user").GetProperty("token")}").Order(),
            ours.Users.Select(u => $"{u.Name}: {u.UserCredentials.Token}").Order());

        // Relative certificate paths resolve against their own file's folder, as client-go resolves them.
        Assert.Equal(Path.Combine(_folder, "ca-a.crt"), ours.Clusters.Single(c => c.Name == "shared").ClusterEndpoint.CertificateAuthority);
        Assert.Equal(Path.Combine(_folder, "sub", "ca-b.crt"), ours.Clusters.Single(c => c.Name == "only-b").ClusterEndpoint.CertificateAuthority);
    }

    [Fact]
    public void The_source_is_chosen_in_kubectls_order()
    {
        Write("explicit.yaml", "x");
        Write("env.yaml", "x");
        Write("home/.kube/config", "x");
        var home = Path.Combine(_folder, "home/.kube/config");

        Assert.Equal("--kubeconfig", KubeconfigLoader.Choose("explicit.yaml", _folder, "env.yaml", home, inCluster: true).Origin);
        Assert.Equal([Path.Combine(_folder, "explicit.yaml")], KubeconfigLoader.Choose("explicit.yaml", _folder, "env.yaml", home, true).Files);
        Assert.Equal("$KUBECONFIG", KubeconfigLoader.Choose(null, _folder, "env.yaml", home, true).Origin);
        Assert.Equal("~/.kube/config", KubeconfigLoader.Choose(null, _folder, null, home, true).Origin);
        Assert.Equal("~/.kube/config", KubeconfigLoader.Choose(null, _folder, "", home, true).Origin);
        Assert.True(KubeconfigLoader.Choose(null, _folder, null, "/nonexistent/config", inCluster: true).InCluster);

        var none = Assert.Throws<KubeconfigException>(() => KubeconfigLoader.Choose(null, _folder, null, "/nonexistent/config", inCluster: false));
        Assert.Contains("--kubeconfig", none.Message);
        var missing = Assert.Throws<KubeconfigException>(() => KubeconfigLoader.Choose("explicit.yaml:nope.yaml", _folder, null, home, false));
        Assert.Contains(Path.Combine(_folder, "nope.yaml"), missing.Message);
        Assert.Throws<KubeconfigException>(() => KubeconfigLoader.Choose(null, _folder, "gone.yaml:also-gone.yaml", home, false));
    }

    [Fact]
    public void A_kubeconfig_reads_into_the_same_model_as_KubernetesClient_reads_it()
    {
        // Every field of the model, in the shapes kubeconfigs carry them: exec and auth-provider plugins, impersonation,
        // inline and file credentials, preferences and extensions with typed scalars, keys the model does not know.
        var ca = Path.Combine(_folder, "ca.crt");
        Write("rich.yaml", $$"""
            apiVersion: v1
            kind: Config
            preferences:
              colors: true
            current-context: prod
            clusters:
            - name: prod-cluster
              cluster:
                server: https://10.0.0.1:6443
                certificate-authority: {{ca}}
                tls-server-name: api.prod.internal
                proxy-url: http://proxy:3128
                extensions:
                - name: client.authentication.k8s.io/exec
                  extension:
                    audience: prod
                    retries: 3
            - name: lab
              cluster:
                server: https://127.0.0.1:6443
                insecure-skip-tls-verify: true
                certificate-authority-data: "Q0FEQVRB"
            users:
            - name: exec-user
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1beta1
                  command: aws
                  args: [eks, get-token, --cluster-name, prod]
                  env:
                  - name: AWS_PROFILE
                    value: prod
                  interactiveMode: Never
                  provideClusterInfo: true
            - name: oidc-user
              user:
                auth-provider:
                  name: oidc
                  config:
                    client-id: twisterlab
                    idp-issuer-url: https://issuer
            - name: cert-user
              user:
                client-certificate-data: "Q0VSVA=="
                client-key-data: "S0VZ"
                as: admin
                as-groups: [system:masters]
                username: alice
                password: "s3cret"
                token: "0123"
            contexts:
            - name: prod
              context:
                cluster: prod-cluster
                user: exec-user
                namespace: twisterlab
            - name: lab
              context:
                cluster: lab
                user: cert-user
            """);
        var file = Path.Combine(_folder, "rich.yaml");

        var ours = KubeconfigLoader.Load(KubeconfigLoader.Choose(file, _folder, null, "/none", inCluster: false));
        var theirs = k8s.KubernetesClientConfiguration.LoadKubeConfig(new FileInfo(file), useRelativePaths: false);

        Assert.Equal(JsonSerializer.Serialize(theirs), JsonSerializer.Serialize(ours));
        Assert.Equal("0123", ours.Users.Single(user => user.Name == "cert-user").UserCredentials.Token);
        Assert.True(ours.Clusters.Single(cluster => cluster.Name == "lab").ClusterEndpoint.SkipTlsVerify);
    }

    [Fact]
    public void An_empty_or_unreadable_kubeconfig_is_named_not_a_NullReferenceException()
    {
        Write("empty.yaml", "");
        Write("garbage.yaml", "{{{ not yaml");
        var empty = Assert.Throws<KubeconfigException>(() => KubeconfigLoader.Build(KubeconfigLoader.Choose("empty.yaml", _folder, null, "/none", false), null));
        Assert.Contains("empty.yaml", empty.Message);
        var garbage = Assert.Throws<KubeconfigException>(() => KubeconfigLoader.Build(KubeconfigLoader.Choose("garbage.yaml", _folder, null, "/none", false), null));
        Assert.Contains("garbage.yaml", garbage.Message);
    }

    [Fact]
    public async Task The_cluster_id_is_the_kube_system_UID_stable_per_cluster_and_different_between_clusters()
    {
        await using var a = await SimulatedCluster.StartAsync();
        await using var b = await SimulatedCluster.StartAsync();
        using var gatewayA = ClusterGateway.Connect(new ClusterConnection(a.KubeconfigPath, SimulatedCluster.ContextName));
        using var gatewayB = ClusterGateway.Connect(new ClusterConnection(b.KubeconfigPath, SimulatedCluster.ContextName));

        var first = await gatewayA.ReadIdentityAsync(CancellationToken.None);
        var again = await gatewayA.ReadIdentityAsync(CancellationToken.None);
        var other = await gatewayB.ReadIdentityAsync(CancellationToken.None);

        Assert.Equal(first, again);
        Assert.NotEqual(first.Id, other.Id);
        Assert.Equal(a.BaseUri.ToString().TrimEnd('/'), first.Server);
        Assert.Equal(SimulatedCluster.ContextName, first.Context);
        var kubectl = await RunKubectlAsync(["--kubeconfig", a.KubeconfigPath, "get", "namespace", "kube-system", "-o", "jsonpath={.metadata.uid}"], kubeconfigVariable: null);
        Assert.Equal(first.Id, kubectl);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_folder, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    private static string Namespace(JsonElement context) => context.TryGetProperty("namespace", out var value) ? value.GetString()! : "";

    private static string Config(string currentContext, (string Name, string Server, string? Ca) first, (string Name, string Server, string? Ca) second,
        string token, (string Name, string Cluster, string? Namespace) firstContext, (string Name, string Cluster, string? Namespace) secondContext)
    {
        static string Cluster((string Name, string Server, string? Ca) c) =>
            $"- name: {c.Name}\n  cluster:\n    server: {c.Server}\n" + (c.Ca is null ? "" : $"    certificate-authority: {c.Ca}\n");
        static string Context((string Name, string Cluster, string? Namespace) c) =>
            $"- name: {c.Name}\n  context:\n    cluster: {c.Cluster}\n    user: u\n" + (c.Namespace is null ? "" : $"    namespace: {c.Namespace}\n");
        return $"apiVersion: v1\nkind: Config\ncurrent-context: {currentContext}\nclusters:\n{Cluster(first)}{Cluster(second)}" +
               $"users:\n- name: u\n  user:\n    token: {token}\ncontexts:\n{Context(firstContext)}{Context(secondContext)}";
    }

    private async Task<JsonElement> KubectlViewAsync(string list) =>
        JsonDocument.Parse(await RunKubectlAsync(["config", "view", "--merge", "--raw", "-o", "json"], list)).RootElement;

    private async Task<string> RunKubectlAsync(IEnumerable<string> arguments, string? kubeconfigVariable)
    {
        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _folder };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["KUBECONFIG"] = kubeconfigVariable ?? "";
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error);
        return output;
    }
}
