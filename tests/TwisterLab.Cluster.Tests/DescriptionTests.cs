using System.Net;
using k8s;
using k8s.Autorest;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Rollback.Cluster;

namespace TwisterLab.Cluster.Tests;

/// <summary>The kubectl command lines the actions and compensations describe, argument validation and error texts.</summary>
public sealed class DescriptionTests
{
    private static readonly ClusterGateway Gateway = new(new Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" }), "twisterlab");

    public static TheoryData<string, string> Commands => new()
    {
        { Gateway.Deployments.DescribeSetImage("twisterlab-api", "twisterlab-api", "twisterlab-api:v2.0"), "kubectl set image deployment/twisterlab-api twisterlab-api=twisterlab-api:v2.0 -n twisterlab" },
        { Gateway.Deployments.DescribeScale("twisterlab-api-v1", 0), "kubectl scale deployment/twisterlab-api-v1 --replicas=0 -n twisterlab" },
        { Gateway.Deployments.DescribeRolloutStatus("redis", TimeSpan.FromMinutes(5)), "kubectl rollout status deployment/redis --timeout=300s -n twisterlab" },
        { Gateway.Deployments.DescribeUndo("twisterlab-api"), "kubectl rollout undo deployment/twisterlab-api -n twisterlab" },
        { Gateway.Deployments.DescribeUndo("twisterlab-api", 4), "kubectl rollout undo deployment/twisterlab-api --to-revision=4 -n twisterlab" },
        { Gateway.Deployments.DescribeHistory("twisterlab-api"), "kubectl rollout history deployment/twisterlab-api -n twisterlab" },
        { Gateway.Deployments.DescribeRestart("twisterlab-api"), "kubectl rollout restart deployment/twisterlab-api -n twisterlab" },
        { Gateway.Deployments.DescribeDelete("postgres-13"), "kubectl delete deployment/postgres-13 -n twisterlab" },
        { Gateway.Volumes.DescribeDeleteClaim("postgres-13-data"), "kubectl delete pvc/postgres-13-data -n twisterlab" },
        { Gateway.Services.DescribePatchSelector("twisterlab-api", new Dictionary<string, string> { ["version"] = "v2" }), "kubectl patch svc/twisterlab-api -p '{\"spec\":{\"selector\":{\"version\":\"v2\"}}}' -n twisterlab" },
        { Gateway.Services.DescribeReplaceSelector("twisterlab-api", new Dictionary<string, string> { ["version"] = "v1", ["app"] = "twisterlab-api" }), "kubectl patch svc/twisterlab-api --type=json -p '[{\"op\":\"replace\",\"path\":\"/spec/selector\",\"value\":{\"app\":\"twisterlab-api\",\"version\":\"v1\"}}]' -n twisterlab" },
        { Gateway.Secrets.DescribeSetKey("twisterlab-secrets", "DATABASE_URL"), "kubectl patch secret/twisterlab-secrets -p '{\"data\":{\"DATABASE_URL\":\"***\"}}' -n twisterlab" },
        { Gateway.Pods.DescribeWaitReady("version=v2,app=twisterlab-api", TimeSpan.FromMinutes(5)), "kubectl wait --for=condition=ready pod -l version=v2,app=twisterlab-api --timeout=300s -n twisterlab" },
        { Gateway.Pods.DescribeExec(new ExecRequest("postgres", ["pg_dump", "-U", "twisterlab", "twisterlab"], StdoutFile: "backup.sql")), "kubectl exec deployment/postgres -n twisterlab -- pg_dump -U twisterlab twisterlab > backup.sql" },
        { Gateway.Pods.DescribeExec(new ExecRequest("postgres", ["psql", "-U", "twisterlab"], StdinFile: "backup.sql")), "kubectl exec -i deployment/postgres -n twisterlab -- psql -U twisterlab < backup.sql" },
        { Gateway.Pods.DescribeExec(new ExecRequest("api", ["sh", "-c", "alembic upgrade head"])), "kubectl exec deployment/api -n twisterlab -- sh -c 'alembic upgrade head'" },
        { Gateway.Manifests.DescribeApply("k8s/", dryRun: true), "kubectl apply --server-side --field-manager=twisterlab-cake --force-conflicts -f k8s/ --dry-run=server -n twisterlab" },
        { Gateway.Nodes.DescribeDrain("worker-node-1", new DrainOptions(TimeSpan.FromMinutes(10), DeleteEmptyDirData: true)), "kubectl drain worker-node-1 --ignore-daemonsets --delete-emptydir-data --timeout=600s" },
        { Gateway.Nodes.DescribeCordon("worker-node-1"), "kubectl cordon worker-node-1" },
        { Gateway.Nodes.DescribeUncordon("worker-node-1"), "kubectl uncordon worker-node-1" },
        { Gateway.RunLock("ci").DescribeRelease(), "kubectl delete lease twisterlab-upgrade-lock -n twisterlab" },
        { Gateway.RunLock("ci@runner-7", TimeSpan.FromSeconds(60)).DescribeAcquire(), "kubectl get lease/twisterlab-upgrade-lock -n twisterlab  # then create or take over spec.holderIdentity=ci@runner-7, leaseDurationSeconds=60" },
        { new UndoToRevision("twisterlab-api", "twisterlab", 3).Describe(), "kubectl rollout undo deployment/twisterlab-api --to-revision=3 -n twisterlab" },
        { new ScaleBack("twisterlab-api", "twisterlab", 3).Describe(), "kubectl scale deployment/twisterlab-api --replicas=3 -n twisterlab" },
        { new RestoreServiceSelector("twisterlab-api", "twisterlab", new Dictionary<string, string> { ["version"] = "v1" }).Describe(), "kubectl patch svc/twisterlab-api --type=json -p '[{\"op\":\"replace\",\"path\":\"/spec/selector\",\"value\":{\"version\":\"v1\"}}]' -n twisterlab" },
        { new RestoreSecretKey("twisterlab-secrets", "twisterlab", "DATABASE_URL", "v1:abc").Describe(), "kubectl patch secret/twisterlab-secrets -p '{\"data\":{\"DATABASE_URL\":\"***\"}}' -n twisterlab" },
        { new RestoreSecretKey("twisterlab-secrets", "twisterlab", "DATABASE_URL", null).Describe(), "kubectl patch secret/twisterlab-secrets --type=merge -p '{\"data\":{\"DATABASE_URL\":null}}' -n twisterlab" },
        { new DeleteDeployment("twisterlab-api-v2", "twisterlab").Describe(), "kubectl delete deployment/twisterlab-api-v2 -n twisterlab" },
        { new Uncordon("worker-node-1").Describe(), "kubectl uncordon worker-node-1" },
        { new DeleteCreatedObject("Service", "twisterlab", "maintenance-page").Describe(), "kubectl delete service/maintenance-page --ignore-not-found -n twisterlab" },
        { Gateway.Manifests.DescribeDeleteObject("ConfigMap", "maintenance"), "kubectl delete configmap/maintenance --ignore-not-found -n twisterlab" },
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void Describes_the_kubectl_command(string described, string expected) => Assert.Equal(expected, described);

    [Fact]
    public void A_chosen_context_is_part_of_every_command()
    {
        var gateway = new ClusterGateway(new Kubernetes(new KubernetesClientConfiguration { Host = "http://127.0.0.1:1" }), "shop", context: "prod-eu");
        Assert.Equal("kubectl scale deployment/api --replicas=2 -n shop --context prod-eu", gateway.Deployments.DescribeScale("api", 2));
        Assert.Equal("kubectl cordon n1 --context prod-eu", gateway.Nodes.DescribeCordon("n1"));
    }

    [Fact]
    public void A_secret_argument_is_masked_in_text_and_real_in_arguments()
    {
        var command = Gateway.Secrets.CommandSetKey("s", "DATABASE_URL", "postgresql://u:hunter22@db/x");
        Assert.DoesNotContain("hunter22", command.ToString());
        Assert.DoesNotContain(Convert.ToBase64String("postgresql://u:hunter22@db/x"u8.ToArray()), command.ToString());
        Assert.Contains(command.Arguments, argument => argument.Contains(Convert.ToBase64String("postgresql://u:hunter22@db/x"u8.ToArray())));
    }

    [Theory]
    [InlineData("twisterlab-api:v2.0")]
    [InlineData("redis:7.2-alpine")]
    [InlineData("registry.example.com:5000/team/twisterlab-api:v2.0")]
    [InlineData("postgres@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("nginx")]
    public void Accepts_image_references(string image) => Deployments.ValidateImage(image);

    [Theory]
    [InlineData("")]
    [InlineData("Twisterlab-API:v2")]
    [InlineData("api:v2 --force")]
    [InlineData("api::v2")]
    [InlineData("api:")]
    public void Rejects_what_is_not_an_image_reference(string image)
    {
        var exception = Assert.Throws<ArgumentException>(() => Deployments.ValidateImage(image));
        Assert.Contains("not a container image reference", exception.Message);
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, "deployments.apps \"api\" is forbidden: User \"ci\" cannot patch resource", "RBAC")]
    [InlineData(HttpStatusCode.Unauthorized, "Unauthorized", "credentials were refused")]
    [InlineData(HttpStatusCode.NotFound, "deployments.apps \"api\" not found", "--namespace")]
    [InlineData(HttpStatusCode.Conflict, "the object has been modified", "re-read")]
    [InlineData((HttpStatusCode)422, "spec.selector: field is immutable", "fix the manifest")]
    public void Semantic_errors_name_the_verb_the_resource_the_server_message_and_the_fix(HttpStatusCode code, string serverMessage, string fix)
    {
        var exception = new HttpOperationException("Operation returned an invalid status code")
        {
            Response = new HttpResponseMessageWrapper(new HttpResponseMessage(code), $"{{\"kind\":\"Status\",\"message\":\"{serverMessage.Replace("\"", "\\\"")}\"}}"),
        };

        var translated = ApiCaller.Translate("patch deployment/api in namespace shop", exception);

        Assert.Equal((int)code, translated.StatusCode);
        Assert.StartsWith("Cannot patch deployment/api in namespace shop: ", translated.Message);
        Assert.Contains(serverMessage, translated.Message);
        Assert.Contains(fix, translated.Message);
    }

    [Fact]
    public void The_production_guard_refuses_without_confirmation_only_in_production()
    {
        new DestructiveGuard(Production: false, Confirmed: false).Check("delete x");
        new DestructiveGuard(Production: true, Confirmed: true).Check("delete x");
        var exception = Assert.Throws<ClusterException>(() => new DestructiveGuard(true, false).Check("delete pvc/postgres-13-data"));
        Assert.Contains("delete pvc/postgres-13-data", exception.Message);
        Assert.Contains("--confirm", exception.Message);
    }

    [Fact]
    public void A_missing_kubeconfig_is_named_with_the_fix()
    {
        var exception = Assert.Throws<KubeconfigException>(() => ClusterClientFactory.Configure(new ClusterConnection(Kubeconfig: "/nope/config")));
        Assert.Contains("/nope/config", exception.Message);
        Assert.Contains("--kubeconfig", exception.Message);
    }

    [Fact]
    public async Task An_unknown_context_is_named_with_the_fix()
    {
        await using var sim = await TwisterLab.KubeSim.SimulatedCluster.StartAsync();
        var exception = Assert.Throws<KubeconfigException>(() => ClusterClientFactory.Configure(new ClusterConnection(sim.KubeconfigPath, "no-such-context")));
        Assert.Contains("no-such-context", exception.Message);
        Assert.Contains("--context", exception.Message);
    }

    [Fact]
    public async Task Connecting_by_kubeconfig_and_context_uses_the_namespace_given_or_default()
    {
        await using var sim = await TwisterLab.KubeSim.SimulatedCluster.StartAsync();
        using var withNamespace = ClusterGateway.Connect(new ClusterConnection(sim.KubeconfigPath, TwisterLab.KubeSim.SimulatedCluster.ContextName, "shop"));
        using var withoutNamespace = ClusterGateway.Connect(new ClusterConnection(sim.KubeconfigPath));
        Assert.Equal("shop", withNamespace.Namespace);
        Assert.Equal("default", withoutNamespace.Namespace);
        Assert.NotEmpty(await withNamespace.Nodes.ListAsync(CancellationToken.None));
    }
}
