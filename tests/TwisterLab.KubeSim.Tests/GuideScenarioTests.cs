using k8s;
namespace TwisterLab.KubeSim.Tests;

/// <summary>Procedures of the TwisterLab upgrade guide, command for command, against the simulator.</summary>
public sealed class GuideScenarioTests : ClusterTest
{
    const string GreenDeployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: twisterlab-api-v2
          namespace: twisterlab
        spec:
          replicas: 3
          selector:
            matchLabels:
              app: twisterlab-api
              version: v2
          template:
            metadata:
              labels:
                app: twisterlab-api
                version: v2
            spec:
              containers:
              - name: twisterlab-api
                image: twisterlab-api:v2
                ports:
                - containerPort: 8000
        """;

    async Task<HashSet<string>> EndpointIpsAsync() =>
        (await Client.CoreV1.ReadNamespacedEndpointsAsync("twisterlab-api", Ns)).Subsets?.SelectMany(s => s.Addresses ?? []).Select(a => a.Ip).ToHashSet() ?? [];

    async Task<HashSet<string>> PodIpsAsync(string selector) =>
        (await PodsAsync(selector)).Where(p => p.Status.PodIP is not null).Select(p => p.Status.PodIP).ToHashSet();

    [Fact]
    public async Task BlueGreen_SwitchesTheServiceToGreen_AndBack()
    {
        await DeployTwisterLabAsync();
        var blue = await PodIpsAsync("app=twisterlab-api,version=v1");
        await EventuallyAsync(EndpointIpsAsync, ips => ips.SetEquals(blue), "the service points at blue");

        await Kubectl.SucceedAsync($"apply -f - -n {Ns}", GreenDeployment);
        await Kubectl.SucceedAsync($"wait --for=condition=ready pod -l version=v2,app=twisterlab-api -n {Ns} --timeout=60s");
        // Overlapping selectors: each deployment keeps only the pods it owns.
        Assert.Equal(3, (await PodsAsync("app=twisterlab-api,version=v1")).Count);
        Assert.Equal(3, (await PodsAsync("app=twisterlab-api,version=v2")).Count);

        await Kubectl.SucceedAsync($"patch svc twisterlab-api -n {Ns} -p '{{\"spec\":{{\"selector\":{{\"version\":\"v2\"}}}}}}'");
        var green = await PodIpsAsync("app=twisterlab-api,version=v2");
        await EventuallyAsync(EndpointIpsAsync, ips => ips.SetEquals(green), "the service points at green");

        // Rollback of the switch, as the guide's "Switch back" step.
        await Kubectl.SucceedAsync($"patch svc twisterlab-api -n {Ns} -p '{{\"spec\":{{\"selector\":{{\"version\":\"v1\"}}}}}}'");
        await EventuallyAsync(EndpointIpsAsync, ips => ips.SetEquals(blue), "the service points at blue again");

        // Retire green instead, then blue is the only one left.
        await Kubectl.SucceedAsync($"scale deployment/twisterlab-api-v2 --replicas=0 -n {Ns}");
        await Kubectl.SucceedAsync($"delete deployment/twisterlab-api-v2 -n {Ns}");
        await EventuallyAsync(() => PodsAsync("app=twisterlab-api,version=v2", includeTerminating: true), p => p.Count == 0, "green is gone");
        Assert.True((await EndpointIpsAsync()).SetEquals(blue));
    }

    [Fact]
    public async Task ServerDryRunOfTheManifests_ChangesNothing()
    {
        // As on a real cluster, a dry-run namespace does not exist for the objects that follow it.
        var dryRun = await Kubectl.RunAsync($"apply -f {ManifestPath} --dry-run=server");
        Assert.Contains("namespace/twisterlab created (server dry run)", dryRun.StdOut);
        Assert.Contains("namespaces \"twisterlab\" not found", dryRun.StdErr);
        Assert.DoesNotContain((await Client.CoreV1.ListNamespaceAsync()).Items, n => n.Metadata.Name == Ns);

        await DeployTwisterLabAsync();
        var changed = (await File.ReadAllTextAsync(ManifestPath)).Replace("twisterlab-api:v1", "twisterlab-api:v2");
        var plan = await Kubectl.SucceedAsync("apply -f - --dry-run=server", changed);
        Assert.Contains("deployment.apps/twisterlab-api configured (server dry run)", plan);
        Assert.Equal("twisterlab-api:v1", (await ReadDeploymentAsync()).Spec.Template.Spec.Containers.Single().Image);
        Assert.Single(await ReplicaSetsAsync());
    }

    const string Extras = """
        apiVersion: v1
        kind: ServiceAccount
        metadata:
          name: twisterlab-api
          namespace: twisterlab
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: twisterlab
          namespace: twisterlab
        spec:
          rules:
          - host: edgeserver.twisterlab.local
            http:
              paths:
              - path: /
                pathType: Prefix
                backend:
                  service:
                    name: twisterlab-api
                    port:
                      number: 80
        ---
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: api-only
          namespace: twisterlab
        spec:
          podSelector:
            matchLabels:
              app: postgres
          policyTypes: [Ingress]
        ---
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata:
          name: twisterlab-api
          namespace: twisterlab
        spec:
          scaleTargetRef:
            apiVersion: apps/v1
            kind: Deployment
            name: twisterlab-api
          minReplicas: 3
          maxReplicas: 6
        """;

    [Fact]
    public async Task StoredOnlyKinds_ApplyAndReadBack()
    {
        await DeployTwisterLabAsync();
        var applied = await Kubectl.SucceedAsync("apply -f -", Extras);
        Assert.Contains("ingress.networking.k8s.io/twisterlab created", applied);
        Assert.Contains("horizontalpodautoscaler.autoscaling/twisterlab-api created", applied);
        var listed = await Kubectl.SucceedAsync($"-n {Ns} get sa,ing,netpol,hpa -o name");
        Assert.Contains("serviceaccount/twisterlab-api", listed);
        Assert.Contains("networkpolicy.networking.k8s.io/api-only", listed);

        var ingress = await Client.NetworkingV1.ReadNamespacedIngressAsync("twisterlab", Ns);
        Assert.Equal("edgeserver.twisterlab.local", ingress.Spec.Rules.Single().Host);
        var hpa = await Client.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("twisterlab-api", Ns);
        Assert.Equal(6, hpa.Spec.MaxReplicas);
    }

    [Fact]
    public async Task SecretPatch_ThenRestart_RollsThePodsWithTheNewDatabaseUrl()
    {
        await DeployTwisterLabAsync();
        var url = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("postgresql+asyncpg://twisterlab:pass@postgres-16:5432/twisterlab"));
        await Kubectl.SucceedAsync($"patch secret twisterlab-secrets -n {Ns} -p '{{\"data\":{{\"DATABASE_URL\":\"{url}\"}}}}'");
        await Kubectl.SucceedAsync($"rollout restart deployment/twisterlab-api -n {Ns}");
        await Kubectl.SucceedAsync($"rollout status deployment/twisterlab-api -n {Ns} --timeout=30s");

        var seen = await Kubectl.SucceedAsync($"exec deployment/twisterlab-api -n {Ns} -- sh -c 'echo $DATABASE_URL'");
        Assert.Equal("postgresql+asyncpg://twisterlab:pass@postgres-16:5432/twisterlab\n", seen);
        var secret = await Client.CoreV1.ReadNamespacedSecretAsync("twisterlab-secrets", Ns);
        Assert.True(secret.Data.ContainsKey("REDIS_URL"));   // the patch merged into data
    }
}
