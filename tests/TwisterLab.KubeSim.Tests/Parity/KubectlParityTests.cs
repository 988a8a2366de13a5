using k8s;
using k8s.Models;
using Xunit.Abstractions;
using static TwisterLab.KubeSim.Tests.Parity.ParityManifests;

namespace TwisterLab.KubeSim.Tests.Parity;

/// <summary>
/// kubectl 1.32 (from PATH) against the simulator: one case per behaviour of issue 13 and per ordinary verb, each
/// asserting what a v1.32 API server answers. The tally is printed; differences are listed in ParityLedger.
/// </summary>
public sealed class KubectlParityTests(ITestOutputHelper output) : ParityClusterTest
{
    [Fact]
    public async Task Kubectl_BehavesAsAV132ApiServer()
    {
        var outcomes = await ParityRun.AllAsync("kubectl", Cases(), TimeSpan.FromSeconds(45));
        ParityLedger.Report("kubectl", outcomes, output);
    }

    int namespaces;

    /// <summary>Every case works in a namespace of its own, created through the C# client.</summary>
    async Task<string> NamespaceAsync()
    {
        var name = $"p{Interlocked.Increment(ref namespaces)}";
        await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = name } });
        return name;
    }

    Task<Kubectl.Result> Run(string ns, string args, string? stdin = null) => Kubectl.RunAsync($"-n {ns} {args}", stdin, TimeSpan.FromSeconds(40));

    async Task<string> Ok(string ns, string args, string? stdin = null)
    {
        var result = await Run(ns, args, stdin);
        if (result.ExitCode != 0) throw new Exception($"kubectl {args} exited {result.ExitCode}: {result.StdErr.Trim()}");
        return result.StdOut;
    }

    async Task<Kubectl.Result> Fails(string ns, string args, string? stdin = null)
    {
        var result = await Run(ns, args, stdin);
        if (result.ExitCode == 0) throw new Exception($"kubectl {args} succeeded; a v1.32 server refuses it: {result.StdOut.Trim()}");
        return result;
    }

    static void Expect(bool condition, string what) { if (!condition) throw new Exception(what); }

    async Task<List<V1Pod>> RunningPodsAsync(string ns, string selector, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var pods = (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: selector)).Items
                .Where(p => p.Metadata.DeletionTimestamp is null && p.Status?.Phase == "Running").ToList();
            if (pods.Count >= count) return pods;
            if (DateTime.UtcNow > deadline) throw new Exception($"only {pods.Count}/{count} pods of {selector} running in {ns}");
            await Task.Delay(50);
        }
    }

    async Task<string> DeployAsync(string ns, string name, int replicas, string extraPodSpec = "", string image = "nginx:1.27")
    {
        await Ok(ns, "apply -f -", Deployment(name, replicas, image, extraPodSpec));
        await Ok(ns, $"rollout status deployment/{name} --timeout=30s");
        return name;
    }

    IEnumerable<(string, Func<Task>)> Cases()
    {
        // ---- the ordinary verbs ----
        yield return ("get-nodes", async () =>
        {
            var text = await Ok("default", "get nodes");
            foreach (var node in new[] { "twisterlab-control-plane", "twisterlab-worker", "twisterlab-worker2" }) Expect(text.Contains(node), $"no {node} in: {text}");
            Expect(text.Contains("Ready"), text);
        });
        yield return ("apply-create-and-rollout-status", async () =>
        {
            var ns = await NamespaceAsync();
            var applied = await Ok(ns, "apply -f -", Deployment("web", 2));
            Expect(applied.Trim() == "deployment.apps/web created", applied);
            var status = await Ok(ns, "rollout status deployment/web --timeout=30s");
            Expect(status.Contains("successfully rolled out"), status);
        });
        yield return ("create-from-file-and-get-json", async () =>
        {
            var ns = await NamespaceAsync();
            Expect((await Ok(ns, "create -f -", ConfigMap("settings"))).Trim() == "configmap/settings created", "create output");
            var json = await Ok(ns, "get configmap settings -o jsonpath={.data.key}");
            Expect(json == "1", json);
            var again = await Fails(ns, "create -f -", ConfigMap("settings"));
            Expect(again.StdErr.Contains("Error from server (AlreadyExists): error when creating \"STDIN\": configmaps \"settings\" already exists"), again.StdErr);
        });
        yield return ("list-with-label-selector", async () =>
        {
            var ns = await NamespaceAsync();
            await DeployAsync(ns, "web", 2);
            var names = await Ok(ns, "get pods -l app=web -o name");
            Expect(names.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length == 2, names);
        });
        yield return ("watch-sees-a-create", async () =>
        {
            var ns = await NamespaceAsync();
            var watch = Run(ns, "get configmaps --watch -o name --request-timeout=3s");
            await Task.Delay(1000);
            await Ok(ns, "create -f -", ConfigMap("later"));
            var result = await watch;
            Expect(result.StdOut.Contains("configmap/later"), result.ToString());
        });
        yield return ("patch-merge-and-strategic", async () =>
        {
            var ns = await NamespaceAsync();
            await DeployAsync(ns, "web", 1);
            var patched = await Ok(ns, "patch deployment web -p '{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"nginx:1.28\"}]}}}}'");
            Expect(patched.Trim() == "deployment.apps/web patched", patched);
            var image = await Ok(ns, "get deployment web -o jsonpath={.spec.template.spec.containers[0].image}");
            Expect(image == "nginx:1.28", image);
        });
        yield return ("delete-then-not-found", async () =>
        {
            var ns = await NamespaceAsync();
            await Ok(ns, "create -f -", ConfigMap("gone"));
            Expect((await Ok(ns, "delete configmap gone")).Trim() == "configmap \"gone\" deleted", "delete output");
            var missing = await Fails(ns, "get configmap gone");
            Expect(missing.StdErr.Trim() == "Error from server (NotFound): configmaps \"gone\" not found", missing.StdErr);
        });
        yield return ("scale", async () =>
        {
            var ns = await NamespaceAsync();
            await DeployAsync(ns, "web", 1);
            Expect((await Ok(ns, "scale deployment web --replicas=3")).Trim() == "deployment.apps/web scaled", "scale output");
            await Ok(ns, "rollout status deployment/web --timeout=30s");
            await RunningPodsAsync(ns, "app=web", 3);
        });
        yield return ("rollout-undo-deployment", async () =>
        {
            var ns = await NamespaceAsync();
            await DeployAsync(ns, "web", 1);
            await Ok(ns, "set image deployment/web app=nginx:1.28");
            await Ok(ns, "rollout status deployment/web --timeout=30s");
            Expect((await Ok(ns, "rollout undo deployment/web")).Trim() == "deployment.apps/web rolled back", "undo output");
            await Ok(ns, "rollout status deployment/web --timeout=30s");
            var image = await Ok(ns, "get deployment web -o jsonpath={.spec.template.spec.containers[0].image}");
            Expect(image == "nginx:1.27", image);
        });
        yield return ("exec", async () =>
        {
            var ns = await NamespaceAsync();
            await DeployAsync(ns, "web", 1);
            var echoed = await Ok(ns, "exec deploy/web -- echo hello");
            Expect(echoed == "hello\n", echoed);
            var failed = await Fails(ns, "exec deploy/web -- sh -c 'exit 3'");
            Expect(failed.ExitCode == 3 && failed.StdErr.Contains("command terminated with exit code 3"), failed.ToString());
        });
        yield return ("logs-of-a-running-pod", async () =>
        {
            var ns = await NamespaceAsync();
            await DeployAsync(ns, "web", 1);
            await Ok(ns, "logs deploy/web");
        });
        yield return ("server-side-dry-run", async () =>
        {
            var ns = await NamespaceAsync();
            var text = await Ok(ns, "apply --dry-run=server -f -", ConfigMap("dry"));
            Expect(text.Trim() == "configmap/dry created (server dry run)", text);
            await Fails(ns, "get configmap dry");
        });

        // ---- scheduling: kube-scheduler spreads replicas (NodeResourcesBalancedAllocation/LeastAllocated + the
        //      default PodTopologySpread constraints on hostname, pkg/scheduler/framework/plugins/podtopologyspread) ----
        yield return ("scheduling-spreads-a-new-deployment", async () =>
        {
            var ns = await NamespaceAsync();
            await DeployAsync(ns, "web", 4);
            var nodes = (await RunningPodsAsync(ns, "app=web", 4)).GroupBy(p => p.Spec.NodeName).ToDictionary(g => g.Key, g => g.Count());
            Expect(nodes.Count == 2 && nodes.Values.All(c => c == 2), "placement: " + string.Join(", ", nodes.Select(n => $"{n.Key}={n.Value}")));
        });
        yield return ("scheduling-honours-nodeSelector", async () =>
        {
            var ns = await NamespaceAsync();
            await DeployAsync(ns, "web", 3, "      nodeSelector: {kubernetes.io/hostname: twisterlab-worker2}");
            var nodes = (await RunningPodsAsync(ns, "app=web", 3)).Select(p => p.Spec.NodeName).Distinct().ToList();
            Expect(nodes is ["twisterlab-worker2"], "nodes: " + string.Join(",", nodes));
        });
        yield return ("scheduling-tolerations-allow-the-control-plane", async () =>
        {
            var ns = await NamespaceAsync();
            await DeployAsync(ns, "web", 2, """
                      nodeSelector: {node-role.kubernetes.io/control-plane: ""}
                      tolerations: [{key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}]
                """);
            var nodes = (await RunningPodsAsync(ns, "app=web", 2)).Select(p => p.Spec.NodeName).Distinct().ToList();
            Expect(nodes is ["twisterlab-control-plane"], "nodes: " + string.Join(",", nodes));
        });
        yield return ("scheduling-anti-affinity-on-hostname", async () =>
        {
            var ns = await NamespaceAsync();
            await Ok(ns, "apply -f -", Deployment("web", 3, extraPodSpec: """
                      tolerations: [{key: node-role.kubernetes.io/control-plane, operator: Exists, effect: NoSchedule}]
                      affinity:
                        podAntiAffinity:
                          requiredDuringSchedulingIgnoredDuringExecution:
                          - labelSelector: {matchLabels: {app: web}}
                            topologyKey: kubernetes.io/hostname
                """));
            var nodes = (await RunningPodsAsync(ns, "app=web", 3)).Select(p => p.Spec.NodeName).Distinct().Count();
            Expect(nodes == 3, $"{nodes} distinct nodes for 3 anti-affine pods");
        });
        yield return ("scheduling-topology-spread-counts-tainted-nodes", async () =>
        {
            var ns = await NamespaceAsync();
            await Ok(ns, "apply -f -", Deployment("web", 3, extraPodSpec: """
                      topologySpreadConstraints:
                      - maxSkew: 1
                        topologyKey: kubernetes.io/hostname
                        whenUnsatisfiable: DoNotSchedule
                        labelSelector: {matchLabels: {app: web}}
                """));
            // nodeTaintsPolicy defaults to Ignore: the tainted control plane is a domain holding 0 pods, so each worker
            // may hold one pod and the third stays Pending (docs: concepts/scheduling-eviction/topology-spread-constraints).
            var pods = await RunningPodsAsync(ns, "app=web", 2);
            await Task.Delay(500);
            var all = (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app=web")).Items;
            var running = all.Where(p => p.Status?.Phase == "Running").Select(p => p.Spec.NodeName).ToList();
            Expect(running.Count == 2 && running.Distinct().Count() == 2 && all.Count(p => p.Status?.Phase == "Pending" && p.Spec.NodeName is null) == 1,
                "running on: " + string.Join(",", running) + $"; pods: {all.Count}");
        });

        // ---- server-side apply ----
        yield return ("ssa-after-client-side-apply", async () =>
        {
            var ns = await NamespaceAsync();
            await Ok(ns, "apply -f -", ConfigMap("cfg"));
            await Ok(ns, "apply --server-side -f -", ConfigMap("cfg"));
        });
        yield return ("ssa-after-kubectl-label", async () =>
        {
            var ns = await NamespaceAsync();
            await Ok(ns, "apply --server-side -f -", ConfigMap("cfg"));
            await Ok(ns, "label configmap cfg team=payments");
            await Ok(ns, "annotate configmap cfg note=hi");
            await Ok(ns, "apply --server-side -f -", ConfigMap("cfg"));
        });
        yield return ("ssa-conflict-then-force", async () =>
        {
            var ns = await NamespaceAsync();
            await Ok(ns, "apply --server-side --field-manager=one -f -", ConfigMap("cfg", "1"));
            var conflict = await Fails(ns, "apply --server-side --field-manager=two -f -", ConfigMap("cfg", "2"));
            Expect(conflict.StdErr.Contains("conflict with \"one\"") && conflict.StdErr.Contains(".data.key"), conflict.StdErr);
            await Ok(ns, "apply --server-side --field-manager=two --force-conflicts -f -", ConfigMap("cfg", "2"));
        });

        // ---- kinds ----
        yield return ("job-runs-to-completion", async () =>
        {
            var ns = await NamespaceAsync();
            await Ok(ns, "apply -f -", Job("migrate", "echo migrating; echo done"));
            await Ok(ns, "wait --for=condition=complete job/migrate --timeout=30s");
            var logs = await Ok(ns, "logs job/migrate");
            Expect(logs == "migrating\ndone\n", logs);
            var succeeded = await Ok(ns, "get job migrate -o jsonpath={.status.succeeded}");
            Expect(succeeded == "1", succeeded);
        });
        yield return ("job-fails-after-backoff-limit", async () =>
        {
            var ns = await NamespaceAsync();
            await Ok(ns, "apply -f -", Job("broken", "echo bad; exit 3", backoffLimit: 1));
            await Ok(ns, "wait --for=condition=failed job/broken --timeout=30s");
            var reason = await Ok(ns, "get job broken -o jsonpath={.status.conditions[?(@.type==\"Failed\")].reason}");
            Expect(reason == "BackoffLimitExceeded", reason);
            var failed = await Ok(ns, "get job broken -o jsonpath={.status.failed}");
            Expect(failed == "2", "failed pods: " + failed);
        });
        yield return ("job-active-deadline", async () =>
        {
            var ns = await NamespaceAsync();
            await Ok(ns, "apply -f -", Job("slow", "sleep 30", extraSpec: "  activeDeadlineSeconds: 1"));
            await Ok(ns, "wait --for=condition=failed job/slow --timeout=30s");
            var reason = await Ok(ns, "get job slow -o jsonpath={.status.conditions[?(@.type==\"Failed\")].reason}");
            Expect(reason == "DeadlineExceeded", reason);
        });
        yield return ("kubectl-create-job", async () =>
        {
            var ns = await NamespaceAsync();
            var created = await Ok(ns, "create job hello --image=busybox:1.36 -- echo hi");
            Expect(created.Trim() == "job.batch/hello created", created);
        });
        yield return ("cronjob-stored", async () =>
        {
            var ns = await NamespaceAsync();
            Expect((await Ok(ns, "apply -f -", CronJob("tick"))).Trim() == "cronjob.batch/tick created", "apply output");
            var schedule = await Ok(ns, "get cronjob tick -o jsonpath={.spec.schedule}");
            Expect(schedule == "*/5 * * * *", schedule);
        });
        yield return ("statefulset-ordered-pods", async () =>
        {
            var ns = await NamespaceAsync();
            await Ok(ns, "apply -f -", StatefulSet("db", 2));
            await Ok(ns, "rollout status statefulset/db --timeout=30s");
            var names = await Ok(ns, "get pods -l app=db -o name");
            Expect(names == "pod/db-0\npod/db-1\n", names);
        });
        yield return ("statefulset-rollout-undo", async () =>
        {
            var ns = await NamespaceAsync();
            await Ok(ns, "apply -f -", StatefulSet("db", 1));
            await Ok(ns, "rollout status statefulset/db --timeout=30s");
            await Ok(ns, "set image statefulset/db db=postgres:16");
            await Ok(ns, "rollout status statefulset/db --timeout=30s");
            await Ok(ns, "rollout undo statefulset/db");
            var image = await Ok(ns, "get statefulset db -o jsonpath={.spec.template.spec.containers[0].image}");
            Expect(image == "postgres:15", image);
        });
        yield return ("daemonset-rollout-undo", async () =>
        {
            var ns = await NamespaceAsync();
            await Ok(ns, "apply -f -", DaemonSet("agent", "fluentbit:3.0"));
            await Ok(ns, "rollout status daemonset/agent --timeout=30s");
            await Ok(ns, "set image daemonset/agent agent=fluentbit:3.1");
            await Ok(ns, "rollout status daemonset/agent --timeout=30s");
            await Ok(ns, "rollout undo daemonset/agent");
            var image = await Ok(ns, "get daemonset agent -o jsonpath={.spec.template.spec.containers[0].image}");
            Expect(image == "fluentbit:3.0", image);
        });
        yield return ("endpointslices-served", async () => await Ok("default", "get endpointslices"));
        yield return ("storageclasses-served", async () => await Ok("default", "get storageclasses"));
        yield return ("rbac-kinds-stored", async () =>
        {
            var ns = await NamespaceAsync();
            var text = await Ok(ns, "apply -f -", RoleAndBinding);
            Expect(text.Contains("role.rbac.authorization.k8s.io/deployer created"), text);
        });
        yield return ("crd-stored", async () =>
        {
            var text = await Ok("default", "apply -f -", Crd);
            Expect(text.Trim() == "customresourcedefinition.apiextensions.k8s.io/widgets.example.com created", text);
        });

        // ---- authentication and authorization ----
        yield return ("auth-can-i", async () =>
        {
            var answer = await Ok("default", "auth can-i create pods");
            Expect(answer.Trim() == "yes", answer);
        });
        yield return ("auth-whoami", async () =>
        {
            var text = await Ok("default", "auth whoami");
            Expect(text.Contains("Username"), text);
        });
        yield return ("unknown-token-is-unauthorized", async () =>
        {
            // A bearer token no authenticator knows gets 401 (staging/src/k8s.io/apiserver/pkg/endpoints/filters/authentication.go).
            var result = await Fails("default", "--token=not-a-known-token get pods");
            Expect(result.StdErr.Contains("You must be logged in to the server (Unauthorized)"), result.StdErr);
        });
        yield return ("serviceaccount-token-and-whoami", async () =>
        {
            var ns = await NamespaceAsync();
            var token = await ServiceAccountTokenAsync(ns, "deployer");
            var name = await Ok(ns, $"--token={token} auth whoami -o jsonpath={{.status.userInfo.username}}");
            Expect(name == $"system:serviceaccount:{ns}:deployer", name);
        });
        yield return ("forbidden-is-403-with-the-upstream-message", async () =>
        {
            // endpoints/handlers/responsewriters/errors.go forbiddenMessage, wrapped by apierrors.NewForbidden.
            var ns = await NamespaceAsync();
            var token = await ServiceAccountTokenAsync(ns, "nobody");
            var list = await Fails(ns, $"--token={token} get pods");
            var expected = $"Error from server (Forbidden): pods is forbidden: User \"system:serviceaccount:{ns}:nobody\" cannot list resource \"pods\" in API group \"\" in the namespace \"{ns}\"";
            Expect(list.StdErr.Trim() == expected, list.StdErr);
            var nodes = await Fails(ns, $"--token={token} get node twisterlab-worker");
            Expect(nodes.StdErr.Contains($"nodes \"twisterlab-worker\" is forbidden: User \"system:serviceaccount:{ns}:nobody\" cannot get resource \"nodes\" in API group \"\" at the cluster scope"), nodes.StdErr);
        });
        yield return ("role-binding-grants-and-can-i", async () =>
        {
            var ns = await NamespaceAsync();
            var token = await ServiceAccountTokenAsync(ns, "deployer");
            await Ok(ns, "apply -f -", DeployerRole(ns));
            await Ok(ns, $"--token={token} get deployments");
            var yes = await Ok(ns, $"--token={token} auth can-i patch deployments.apps");
            Expect(yes.Trim() == "yes", yes);
            // can-i answers "no" with exit code 1 (kubectl/pkg/cmd/auth/cani.go).
            var no = await Run(ns, $"--token={token} auth can-i delete deployments.apps");
            Expect(no.ExitCode == 1 && no.StdOut.Trim() == "no", no.ToString());
            var delete = await Fails(ns, $"--token={token} delete deployment web");
            Expect(delete.StdErr.Contains($"deployments.apps \"web\" is forbidden: User \"system:serviceaccount:{ns}:deployer\" cannot delete resource \"deployments\" in API group \"apps\" in the namespace \"{ns}\""), delete.StdErr);
            var scale = await Run(ns, $"--token={token} auth can-i update deployments.apps --subresource=scale");
            Expect(scale.StdOut.Trim() == "no", scale.ToString());
        });
        yield return ("client-certificate-user", async () =>
        {
            var (certificate, key) = Cluster.IssueClientCertificate("jane", "developers");
            var kubeconfig = Path.Combine(Directory.CreateTempSubdirectory("kubesim-jane-").FullName, "kubeconfig");
            Cluster.WriteKubeconfig(kubeconfig, KubeconfigUser.WithCertificate(certificate, key));
            var whoami = await Ok("default", $"--kubeconfig={kubeconfig} auth whoami -o jsonpath={{.status.userInfo.username}}/{{.status.userInfo.groups}}");
            Expect(whoami == "jane/[\"developers\",\"system:authenticated\"]", whoami);
            var nodes = await Fails("default", $"--kubeconfig={kubeconfig} get nodes");
            Expect(nodes.StdErr.Contains("nodes is forbidden: User \"jane\" cannot list resource \"nodes\" in API group \"\" at the cluster scope"), nodes.StdErr);
            await Ok("default", "apply -f -", NodeReaderForDevelopers);
            await Ok("default", $"--kubeconfig={kubeconfig} get nodes");
        });
        yield return ("https-with-ca-data", async () =>
        {
            var config = await File.ReadAllTextAsync(Cluster.KubeconfigPath);
            Expect(config.Contains("server: https://") && config.Contains("certificate-authority-data"), "the kubeconfig is plain http");
        });

        // ---- containers: logs, exec environment, back-off ----
        yield return ("logs-of-a-waiting-container-is-400", async () =>
        {
            var ns = await NamespaceAsync();
            Cluster.Faults.MakeImageUnpullable("ghost:*");
            await Ok(ns, "apply -f -", Pod("ghost", "ghost:0"));
            await Task.Delay(400);
            // pkg/kubelet/kubelet_pods.go validateContainerLogStatus.
            var result = await Fails(ns, "logs ghost");
            Expect(result.StdErr.Contains("container \"app\" in pod \"ghost\" is waiting to start"), result.StdErr);
        });
        yield return ("logs-tail-and-timestamps", async () =>
        {
            var ns = await NamespaceAsync();
            await Ok(ns, "apply -f -", Job("lines", "echo one; echo two; echo three"));
            await Ok(ns, "wait --for=condition=complete job/lines --timeout=30s");
            var tail = await Ok(ns, "logs job/lines --tail=1");
            Expect(tail == "three\n", tail);
            var stamped = await Ok(ns, "logs job/lines --timestamps");
            var first = stamped.Split('\n')[0];
            Expect(first.EndsWith(" one") && DateTime.TryParse(first.Split(' ')[0], out _), stamped);
        });
        yield return ("logs-follow-until-the-container-stops", async () =>
        {
            var ns = await NamespaceAsync();
            await Ok(ns, "apply -f -", Pod("talker", "busybox:1.36", "echo start; sleep 1; echo end", "Never"));
            var deadline = DateTime.UtcNow.AddSeconds(10);
            Kubectl.Result followed;
            do followed = await Run(ns, "logs -f talker");
            while (followed.ExitCode != 0 && DateTime.UtcNow < deadline && await Task.Delay(200).ContinueWith(_ => true));
            Expect(followed.StdOut == "start\nend\n", followed.ToString());
        });
        yield return ("logs-previous-without-a-previous-container", async () =>
        {
            var ns = await NamespaceAsync();
            await DeployAsync(ns, "web", 1);
            var result = await Fails(ns, "logs deploy/web --previous");
            Expect(result.StdErr.Contains("previous terminated container \"app\" in pod"), result.StdErr);
        });
        yield return ("exec-hostname-is-the-pod-name", async () =>
        {
            var ns = await NamespaceAsync();
            await DeployAsync(ns, "web", 1);
            var pod = (await RunningPodsAsync(ns, "app=web", 1))[0].Metadata.Name;
            var text = await Ok(ns, $"exec {pod} -- sh -c 'echo $HOSTNAME'");
            Expect(text.Trim() == pod, text);
        });
        yield return ("exec-runs-outside-the-host-working-directory", async () =>
        {
            var ns = await NamespaceAsync();
            await DeployAsync(ns, "web", 1);
            var pwd = (await Ok(ns, "exec deploy/web -- pwd")).Trim();
            Expect(pwd != Environment.CurrentDirectory, $"exec ran in the simulator's own working directory {pwd}");
        });
        yield return ("crashloop-back-off-doubles", async () =>
        {
            var ns = await NamespaceAsync();
            Cluster.Faults.MakeImageCrashLoop("crash:*");
            await Ok(ns, "apply -f -", Pod("crash", "crash:1"));
            // kubelet's back-off: 10 s after the first crash (restartCount 0), then doubling, capped at 5 min
            // (pkg/kubelet/kubelet.go backOffPeriod, MaxContainerBackOff). Every observation must pair them so.
            var seen = new List<(int Restarts, string Message)>();
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (DateTime.UtcNow < deadline && seen.All(s => s.Restarts < 2))
            {
                var pod = await Client.CoreV1.ReadNamespacedPodAsync("crash", ns);
                if (pod.Status?.ContainerStatuses?.FirstOrDefault() is { State.Waiting.Message: { } m } status) seen.Add((status.RestartCount, m));
                await Task.Delay(50);
            }
            Expect(seen.Any(s => s.Restarts >= 2), "the restart count did not reach 2");
            foreach (var (restarts, message) in seen)
            {
                var backOff = Math.Min(10 << Math.Min(restarts, 5), 300);
                Expect(message.Contains($"back-off {(backOff == 300 ? "5m0s" : backOff + "s")} "), $"restartCount {restarts} with \"{message}\"");
            }
        });

        // ---- not served before issue 13 ----
        yield return ("port-forward", async () =>
        {
            var ns = await NamespaceAsync();
            await DeployAsync(ns, "web", 1);
            await using var forward = await KubectlPortForward.StartAsync(Cluster.KubeconfigPath, $"-n {ns} port-forward deploy/web :80");
            var before = Echo.Connections;
            // Two connections at once through the one tunnel, over 1 MiB each way: their DATA frames interleave.
            await Task.WhenAll(forward.EchoAsync((1 << 20) + 4321), forward.EchoAsync((1 << 20) + 98765));
            Expect(Echo.Connections == before + 2, $"{Echo.Connections - before} connections reached the pod's port, not 2");
        });
        yield return ("port-forward-service", async () =>
        {
            // kubectl resolves svc/web to one of its pods and the service port to the targetPort, client side.
            var ns = await NamespaceAsync();
            await DeployAsync(ns, "web", 1);
            await Ok(ns, "apply -f -", Service("web", port: 8080, targetPort: 80));
            await using var forward = await KubectlPortForward.StartAsync(Cluster.KubeconfigPath, $"-n {ns} port-forward svc/web :8080");
            await forward.EchoAsync(100_000);
        });
        yield return ("port-forward-spdy-fallback", async () =>
        {
            // What kubectl does when the WebSocket upgrade is refused (or is switched off): a plain SPDY/3.1 upgrade.
            var ns = await NamespaceAsync();
            await DeployAsync(ns, "web", 1);
            await using var forward = await KubectlPortForward.StartAsync(Cluster.KubeconfigPath, $"-n {ns} port-forward deploy/web :80",
                new Dictionary<string, string> { ["KUBECTL_PORT_FORWARD_WEBSOCKETS"] = "false" });
            await Task.WhenAll(forward.EchoAsync(1 << 20), forward.EchoAsync(3000));
        });
        yield return ("port-forward-nothing-listening", async () =>
        {
            // A kubelet writes "error forwarding port N to pod …" on the error stream (portforward/httpstream.go);
            // kubectl 1.32 logs it and gives up the whole forward ("lost connection to pod").
            var ns = await NamespaceAsync();
            await DeployAsync(ns, "web", 1);
            await using var forward = await KubectlPortForward.StartAsync(Cluster.KubeconfigPath, $"-n {ns} port-forward deploy/web :81");
            using (var client = new System.Net.Sockets.TcpClient())
            {
                await client.ConnectAsync(System.Net.IPAddress.Loopback, forward.LocalPort);
                var read = await client.GetStream().ReadAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(15));
                Expect(read == 0, $"{read} bytes came from a port nothing listens on");
            }
            var (exited, stderr) = await forward.ExitAsync(TimeSpan.FromSeconds(15));
            Expect(exited, "kubectl kept forwarding after the error stream reported a failure");
            Expect(stderr.Contains("error forwarding port 81 to pod ") && stderr.Contains("lost connection to pod"), stderr);
        });
        yield return ("explain", async () =>
        {
            var text = await Ok("default", "explain deployment.spec.replicas");
            Expect(text.Contains("replicas") && text.Contains("integer"), text);
        });
        yield return ("create-namespace-generator", async () =>
        {
            var text = await Ok("default", "create namespace typed");
            Expect(text.Trim() == "namespace/typed created", text);
        });
        yield return ("create-configmap-generator", async () =>
        {
            var ns = await NamespaceAsync();
            var text = await Ok(ns, "create configmap literal --from-literal=a=b");
            Expect(text.Trim() == "configmap/literal created", text);
        });
        yield return ("service-nodeport-column", async () =>
        {
            var ns = await NamespaceAsync();
            await Ok(ns, "apply -f -", NodePortService);
            var row = await Ok(ns, "get service web --no-headers");
            Expect(System.Text.RegularExpressions.Regex.IsMatch(row, @"80:3\d{4}/TCP"), row);
        });
    }

    /// <summary>A ServiceAccount applied in <paramref name="ns"/> and a token for it from `kubectl create token`.</summary>
    async Task<string> ServiceAccountTokenAsync(string ns, string name)
    {
        await Ok(ns, "apply -f -", $"apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n");
        return (await Ok(ns, $"create token {name}")).Trim();
    }
}
