using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace TwisterLab.KubeSim.Tests;

public sealed class ApiSemanticsTests : ClusterTest
{
    static V1ConfigMap ConfigMap(string name, Dictionary<string, string>? labels = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Labels = labels },
        Data = new Dictionary<string, string> { ["counter"] = "0" },
    };

    static JsonObject StatusOf(HttpOperationException e) => JsonNode.Parse(e.Response.Content)!.AsObject();

    [Fact]
    public async Task Errors_AreStatusObjectsWithRealCodesAndReasons()
    {
        var missing = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReadNamespacedConfigMapAsync("nope", "default"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Response.StatusCode);
        Assert.Equal("NotFound", StatusOf(missing)["reason"]!.ToString());
        Assert.Equal("Status", StatusOf(missing)["kind"]!.ToString());

        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("one"), "default");
        var duplicate = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("one"), "default"));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.Response.StatusCode);
        Assert.Equal("AlreadyExists", StatusOf(duplicate)["reason"]!.ToString());

        var stale = await Client.CoreV1.ReadNamespacedConfigMapAsync("one", "default");
        var fresh = await Client.CoreV1.ReadNamespacedConfigMapAsync("one", "default");
        fresh.Data["counter"] = "1";
        await Client.CoreV1.ReplaceNamespacedConfigMapAsync(fresh, "one", "default");
        stale.Data["counter"] = "2";
        var conflict = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReplaceNamespacedConfigMapAsync(stale, "one", "default"));
        Assert.Equal(HttpStatusCode.Conflict, conflict.Response.StatusCode);
        Assert.Equal("Conflict", StatusOf(conflict)["reason"]!.ToString());
        Assert.Equal("1", (await Client.CoreV1.ReadNamespacedConfigMapAsync("one", "default")).Data["counter"]);

        var invalid = new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "bad" },
            Spec = new V1DeploymentSpec
            {
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "a" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "b" } },
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = "i" }] },
                },
            },
        };
        var unprocessable = await Assert.ThrowsAsync<HttpOperationException>(() => Client.AppsV1.CreateNamespacedDeploymentAsync(invalid, "default"));
        Assert.Equal(422, (int)unprocessable.Response.StatusCode);
        Assert.Equal("Invalid", StatusOf(unprocessable)["reason"]!.ToString());

        var noNamespace = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("x"), "does-not-exist"));
        Assert.Equal(HttpStatusCode.NotFound, noNamespace.Response.StatusCode);
    }

    [Fact]
    public async Task DryRun_ValidatesButDoesNotPersist()
    {
        var answer = await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("dry"), "default", dryRun: "All");
        Assert.Equal("dry", answer.Metadata.Name);
        await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReadNamespacedConfigMapAsync("dry", "default"));

        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("real"), "default");
        var patch = new V1Patch("{\"data\":{\"counter\":\"9\"}}", V1Patch.PatchType.MergePatch);
        var patched = await Client.CoreV1.PatchNamespacedConfigMapAsync(patch, "real", "default", dryRun: "All");
        Assert.Equal("9", patched.Data["counter"]);
        Assert.Equal("0", (await Client.CoreV1.ReadNamespacedConfigMapAsync("real", "default")).Data["counter"]);

        var kubectl = await Kubectl.SucceedAsync("delete configmap real --dry-run=server");
        Assert.Contains("server dry run", kubectl);
        await Client.CoreV1.ReadNamespacedConfigMapAsync("real", "default");
    }

    [Fact]
    public async Task LabelAndFieldSelectors_FilterLists()
    {
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("a", new() { ["tier"] = "web", ["env"] = "prod" }), "default");
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("b", new() { ["tier"] = "db", ["env"] = "prod" }), "default");
        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("c", new() { ["tier"] = "web" }), "default");

        async Task<string[]> Names(string? labels = null, string? fields = null) =>
            (await Client.CoreV1.ListNamespacedConfigMapAsync("default", labelSelector: labels, fieldSelector: fields)).Items
                .Select(c => c.Metadata.Name).Order().ToArray();

        Assert.Equal(["a", "c"], await Names("tier=web"));
        Assert.Equal(["a"], await Names("tier==web,env=prod"));
        Assert.Equal(["b"], await Names("tier!=web,env"));
        Assert.Equal(["a", "b"], await Names("tier in (web, db),env"));
        Assert.Equal(["c"], await Names("!env"));
        Assert.Equal(["a", "c"], await Names("tier notin (db)"));
        Assert.Equal(["b"], await Names(fields: "metadata.name=b"));
        Assert.Equal(["a", "c"], await Names("tier", "metadata.name!=b"));
    }

    [Fact]
    public async Task Lists_ArePagedWithLimitAndContinue()
    {
        foreach (var name in new[] { "p1", "p2", "p3", "p4", "p5" })
            await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap(name, new() { ["paged"] = "yes" }), "default");

        var names = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Client.CoreV1.ListNamespacedConfigMapAsync("default", labelSelector: "paged=yes", limit: 2, continueParameter: token);
            names.AddRange(page.Items.Select(c => c.Metadata.Name));
            token = page.Metadata.ContinueProperty;
            pages++;
        } while (!string.IsNullOrEmpty(token));
        Assert.Equal(["p1", "p2", "p3", "p4", "p5"], names);
        Assert.Equal(3, pages);

        var table = await Kubectl.SucceedAsync("get configmaps -l paged=yes --chunk-size=2");
        Assert.Equal(5, table.Split('\n').Count(l => l.StartsWith('p')));
    }

    [Fact]
    public async Task Patches_JsonMergeAndJsonPatchAndStrategic()
    {
        await DeployTwisterLabAsync();
        var merge = new V1Patch("{\"metadata\":{\"labels\":{\"team\":\"core\"}}}", V1Patch.PatchType.MergePatch);
        var d = await Client.AppsV1.PatchNamespacedDeploymentAsync(merge, "twisterlab-api", Ns);
        Assert.Equal("core", d.Metadata.Labels["team"]);
        Assert.Equal(1, d.Metadata.Generation);   // labels do not bump the generation

        var json = new V1Patch("[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":4},{\"op\":\"remove\",\"path\":\"/metadata/labels/team\"}]", V1Patch.PatchType.JsonPatch);
        d = await Client.AppsV1.PatchNamespacedDeploymentAsync(json, "twisterlab-api", Ns);
        Assert.Equal(4, d.Spec.Replicas);
        Assert.False(d.Metadata.Labels.ContainsKey("team"));
        Assert.Equal(2, d.Metadata.Generation);

        var strategic = new V1Patch("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"twisterlab-api\",\"env\":[{\"name\":\"FEATURE\",\"value\":\"on\"}]}]}}}}", V1Patch.PatchType.StrategicMergePatch);
        d = await Client.AppsV1.PatchNamespacedDeploymentAsync(strategic, "twisterlab-api", Ns);
        var container = d.Spec.Template.Spec.Containers.Single();
        Assert.Equal("twisterlab-api:v1", container.Image);
        Assert.Equal(["DATABASE_URL", "LOG_LEVEL", "FEATURE"], container.Env.Select(e => e.Name));

        var scale = new V1Patch("{\"spec\":{\"replicas\":2}}", V1Patch.PatchType.MergePatch);
        var s = await Client.AppsV1.PatchNamespacedDeploymentScaleAsync(scale, "twisterlab-api", Ns);
        Assert.Equal(2, s.Spec.Replicas);
        Assert.Equal(2, (await ReadDeploymentAsync()).Spec.Replicas);
    }

    [Fact]
    public async Task Watch_StreamsChanges_AndResumesFromAResourceVersion()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = new List<(WatchEventType Type, string Name, string Counter)>();
        var seen = new SemaphoreSlim(0);
        var watching = Task.Run(async () =>
        {
            await foreach (var (type, cm) in Client.CoreV1.WatchListNamespacedConfigMapAsync("default", labelSelector: "watched=yes", cancellationToken: cts.Token))
            {
                lock (events) events.Add((type, cm.Metadata.Name, cm.Data?["counter"] ?? ""));
                seen.Release();
            }
        }, cts.Token);

        await Client.CoreV1.CreateNamespacedConfigMapAsync(ConfigMap("w", new() { ["watched"] = "yes" }), "default");
        await seen.WaitAsync(cts.Token);
        var created = await Client.CoreV1.ReadNamespacedConfigMapAsync("w", "default");
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"counter\":\"1\"}}", V1Patch.PatchType.MergePatch), "w", "default");
        await seen.WaitAsync(cts.Token);
        // Leaving the selector is a DELETED event for this watcher.
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"metadata\":{\"labels\":{\"watched\":\"no\"}}}", V1Patch.PatchType.MergePatch), "w", "default");
        await seen.WaitAsync(cts.Token);
        lock (events)
            Assert.Equal([(WatchEventType.Added, "w", "0"), (WatchEventType.Modified, "w", "1"), (WatchEventType.Deleted, "w", "1")], events);

        // A watch from the creation's resourceVersion replays everything after it.
        var replay = new List<WatchEventType>();
        using var replayCts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await foreach (var (type, _) in Client.CoreV1.WatchListNamespacedConfigMapAsync("default", fieldSelector: "metadata.name=w",
                resourceVersion: created.Metadata.ResourceVersion, cancellationToken: replayCts.Token))
            {
                replay.Add(type);
                if (replay.Count == 2) break;
            }
        }
        catch (OperationCanceledException) { }
        Assert.Equal([WatchEventType.Modified, WatchEventType.Modified], replay);
        cts.Cancel();
        try { await watching; } catch (OperationCanceledException) { }
    }

    [Fact]
    public async Task Watch_SendsBookmarksWhenAllowed()
    {
        var list = await Client.CoreV1.ListNamespacedConfigMapAsync("default");
        using var http = new HttpClient { BaseAddress = Cluster.BaseUri, Timeout = Timeout.InfiniteTimeSpan };
        using var response = await http.GetAsync($"/api/v1/namespaces/default/configmaps?watch=1&allowWatchBookmarks=true&resourceVersion={list.Metadata.ResourceVersion}",
            HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var line = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20));
        var bookmark = JsonNode.Parse(line!)!;
        Assert.Equal("BOOKMARK", bookmark["type"]!.ToString());
        Assert.Equal("ConfigMap", bookmark["object"]!["kind"]!.ToString());
        Assert.True(long.Parse(bookmark["object"]!["metadata"]!["resourceVersion"]!.ToString()) >= long.Parse(list.Metadata.ResourceVersion));
    }

    [Fact]
    public async Task Discovery_ServesLegacyAndAggregatedDocuments()
    {
        using var http = new HttpClient { BaseAddress = Cluster.BaseUri };
        var version = JsonNode.Parse(await http.GetStringAsync("/version"))!;
        Assert.Equal("1", version["major"]!.ToString());
        Assert.Equal("32", version["minor"]!.ToString());

        var core = JsonNode.Parse(await http.GetStringAsync("/api/v1"))!;
        var eviction = core["resources"]!.AsArray().Single(r => r!["name"]!.ToString() == "pods/eviction")!;
        Assert.Equal("policy", eviction["group"]!.ToString());
        Assert.Equal("Eviction", eviction["kind"]!.ToString());

        var request = new HttpRequestMessage(HttpMethod.Get, "/apis");
        request.Headers.Accept.ParseAdd("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
        request.Headers.Accept.ParseAdd("application/json");
        var aggregated = await http.SendAsync(request);
        Assert.Contains("as=APIGroupDiscoveryList", aggregated.Content.Headers.ContentType!.ToString());
        var groups = JsonNode.Parse(await aggregated.Content.ReadAsStringAsync())!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.ToString());
        Assert.Equal(["apps", "policy", "coordination.k8s.io", "networking.k8s.io", "autoscaling", "batch", "discovery.k8s.io", "storage.k8s.io",
            "rbac.authorization.k8s.io", "apiextensions.k8s.io", "authorization.k8s.io", "authentication.k8s.io"], groups);
        var autoscaling = JsonNode.Parse(await http.GetStringAsync("/apis/autoscaling"))!;
        Assert.Equal("autoscaling/v2", autoscaling["preferredVersion"]!["groupVersion"]!.ToString());

        var resources = await Kubectl.SucceedAsync("api-resources");
        Assert.Matches(@"deployments\s+deploy\s+apps/v1\s+true\s+Deployment", resources);
        Assert.Matches(@"leases\s+coordination.k8s.io/v1\s+true\s+Lease", resources);
    }

    [Fact]
    public async Task ProtobufBodies_AreDecodedForTheTypedGenerators_And415ForOtherKinds()
    {
        using var http = new HttpClient { BaseAddress = Cluster.BaseUri };
        var content = new ByteArrayContent([0x6b, 0x38, 0x73, 0x00, 0x0a]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.kubernetes.protobuf");
        var answer = await http.PostAsync("/api/v1/namespaces/default/configmaps", content);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, answer.StatusCode);
        Assert.Equal("UnsupportedMediaType", JsonNode.Parse(await answer.Content.ReadAsStringAsync())!["reason"]!.ToString());

        Assert.Equal("deployment.apps/x created\n", await Kubectl.SucceedAsync("create deployment x --image=nginx --replicas=2"));
        Assert.Equal("2", await Kubectl.SucceedAsync("get deployment x -o jsonpath={.spec.replicas}"));
        var service = await Kubectl.RunAsync("create service clusterip y --tcp=80");
        Assert.NotEqual(0, service.ExitCode);
        Assert.Contains("unknown format", service.StdErr);
    }

    [Fact]
    public async Task Leases_SupportOptimisticLocking()
    {
        var lease = await Client.CoordinationV1.CreateNamespacedLeaseAsync(new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = "twisterlab-run-lock" },
            Spec = new V1LeaseSpec { HolderIdentity = "run-1", LeaseDurationSeconds = 30 },
        }, "default");
        var competitor = await Client.CoordinationV1.ReadNamespacedLeaseAsync("twisterlab-run-lock", "default");
        lease.Spec.HolderIdentity = "run-1-renewed";
        await Client.CoordinationV1.ReplaceNamespacedLeaseAsync(lease, "twisterlab-run-lock", "default");
        competitor.Spec.HolderIdentity = "run-2";
        var lost = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoordinationV1.ReplaceNamespacedLeaseAsync(competitor, "twisterlab-run-lock", "default"));
        Assert.Equal(HttpStatusCode.Conflict, lost.Response.StatusCode);
        Assert.Equal("run-1-renewed", (await Client.CoordinationV1.ReadNamespacedLeaseAsync("twisterlab-run-lock", "default")).Spec.HolderIdentity);
    }
}
