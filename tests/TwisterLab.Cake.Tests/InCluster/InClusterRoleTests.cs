using System.Diagnostics;
using k8s;
using k8s.Autorest;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rehearsal;
using TwisterLab.Cake.Tests.Chains;
using TwisterLab.KubeSim;

namespace TwisterLab.Cake.Tests.InCluster;

/// <summary>
/// examples/in-cluster/rbac.yaml as the Job uses it: applied with the real kubectl, a chain runs as the ServiceAccount
/// (its token, RBAC evaluated by the simulator) with the database reached through exec as in the cluster, and what the
/// Role does not grant is 403 with the API server's message. Whether the Role is exactly what the chains use is
/// RehearseTests' part (it reads the calls of every chain).
/// </summary>
public sealed class InClusterRoleTests
{
    private const string Account = "system:serviceaccount:twisterlab:twisterlab-deployer";

    private static string RbacYaml => Path.Combine(RepositoryRoot.Path, "examples", "in-cluster", "rbac.yaml");

    [Fact]
    public async Task A_chain_runs_as_the_service_account_and_what_the_role_leaves_out_is_forbidden()
    {
        // Over HTTPS, as the sandbox serves it: kubectl sends a bearer token only over TLS.
        await using var rehearsal = await Chains.Rehearsal.StartAsync(new RehearsalOptions(RepositoryRoot.Path) { Https = true });
        var world = rehearsal.Environment;
        var (applied, appliedOutput) = await KubectlAsync(world.Cluster.KubeconfigPath, "apply", "-f", RbacYaml);
        Assert.True(applied == 0, appliedOutput);
        var kubeconfig = Path.Combine(rehearsal.WorkingDirectory, "deployer.kubeconfig");
        world.Cluster.WriteKubeconfig(kubeconfig, KubeconfigUser.WithToken(world.Cluster.CreateServiceAccountToken("twisterlab", "twisterlab-deployer")));

        // As the Job runs it: no --database-url, so the backup and the migration go through exec into the pods.
        var given = new[] { "--target=RollingUpgrade", "--image-tag=v2.0", $"--kubeconfig={kubeconfig}", $"--working={rehearsal.WorkingDirectory}", "--confirm" };
        var exit = new CakeHost().UseTwisterLab().Run(EmbeddedWorld.Compose(given, world.Arguments.Where(argument => !argument.StartsWith("--database-url=", StringComparison.Ordinal))));

        Assert.True(exit == ExitCodes.Success, string.Join("\n", rehearsal.LatestLog().TakeLast(30)));
        var snapshot = await rehearsal.SnapshotAsync();
        Assert.StartsWith("twisterlab-api=twisterlab-api:v2.0", snapshot.Facts["deployment/twisterlab-api"]);
        var asAccount = world.Cluster.Calls.Where(call => call.User == Account).ToList();
        Assert.Contains(asAccount, call => call is { Resource: "pods", Subresource: "exec" });
        Assert.Contains(asAccount, call => call is { Resource: "namespaces", Namespace: "kube-system" });

        // Outside the Role: another namespace's secrets, and a verb the Role does not give on a resource it does name.
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        var secrets = await Assert.ThrowsAsync<HttpOperationException>(() => client.CoreV1.ListNamespacedSecretAsync("kube-system"));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, secrets.Response.StatusCode);
        Assert.Contains($"secrets is forbidden: User \\\"{Account}\\\" cannot list resource \\\"secrets\\\" in API group \\\"\\\" in the namespace \\\"kube-system\\\"", secrets.Response.Content);
        var (deleted, deleteOutput) = await KubectlAsync(kubeconfig, "-n", "twisterlab", "delete", "pod", "twisterlab-api-x");
        Assert.NotEqual(0, deleted);
        Assert.Contains($"pods \"twisterlab-api-x\" is forbidden: User \"{Account}\" cannot delete resource \"pods\" in API group \"\" in the namespace \"twisterlab\"", deleteOutput);
    }

    private static async Task<(int ExitCode, string Output)> KubectlAsync(string kubeconfig, params string[] arguments)
    {
        var start = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["--kubeconfig", kubeconfig, "--cache-dir", Directory.CreateTempSubdirectory("twisterlab-kubectl-").FullName, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
        return (process.ExitCode, output + await error);
    }
}
