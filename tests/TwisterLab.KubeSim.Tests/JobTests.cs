using k8s;
using k8s.Models;

namespace TwisterLab.KubeSim.Tests;

/// <summary>Jobs as a migration Job uses them: the command runs once per attempt, with its environment, in its own folder.</summary>
public sealed class JobTests : ClusterTest
{
    static V1Job Job(string name, string script, string restartPolicy = "Never", int backoffLimit = 0, int? ttl = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1JobSpec
        {
            BackoffLimit = backoffLimit,
            TtlSecondsAfterFinished = ttl,
            Template = new V1PodTemplateSpec
            {
                Spec = new V1PodSpec
                {
                    RestartPolicy = restartPolicy,
                    Containers =
                    [
                        new V1Container
                        {
                            Name = "migrate",
                            Image = "twisterlab-api:2.0",
                            Command = ["sh", "-c", script],
                            Env =
                            [
                                new V1EnvVar { Name = "DATABASE_URL", ValueFrom = new V1EnvVarSource { SecretKeyRef = new V1SecretKeySelector { Name = "db", Key = "url" } } },
                            ],
                        },
                    ],
                },
            },
        },
    };

    async Task SecretAsync() => await Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
    {
        Metadata = new V1ObjectMeta { Name = "db" },
        StringData = new Dictionary<string, string> { ["url"] = "postgresql://migrator@db/app" },
    }, "default");

    [Fact]
    public async Task OnFailure_RestartsInTheSamePodFolder_UntilTheCommandSucceeds_WithTheSecretInItsEnvironment()
    {
        await SecretAsync();
        // The first attempt leaves a marker in the pod's folder and fails; the restarted container finds it and succeeds.
        await Client.BatchV1.CreateNamespacedJobAsync(Job("migrate", "if [ -f attempted ]; then echo \"migrated $DATABASE_URL on $HOSTNAME\"; else touch attempted; echo first; exit 1; fi", "OnFailure", backoffLimit: 2), "default");
        var job = await EventuallyAsync(() => Client.BatchV1.ReadNamespacedJobAsync("migrate", "default"), j => j.Status?.Succeeded == 1, "the job succeeded");
        Assert.Contains(job.Status.Conditions, c => c.Type == "Complete" && c.Status == "True");
        var pod = (await Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "job-name=migrate")).Items.Single();
        Assert.Equal(1, pod.Status.ContainerStatuses.Single().RestartCount);
        Assert.Equal("Succeeded", pod.Status.Phase);
        Assert.Equal($"migrated postgresql://migrator@db/app on {pod.Metadata.Name}\n", await Kubectl.SucceedAsync("logs job/migrate"));
        Assert.Equal("first\n", await Kubectl.SucceedAsync($"logs {pod.Metadata.Name} --previous"));
        Assert.False(File.Exists(Path.Combine(Environment.CurrentDirectory, "attempted")), "the command wrote into the simulator's working directory");
    }

    [Fact]
    public async Task Never_FailedPodsCountAgainstBackoffLimit_AndTtlDeletesTheFinishedJob()
    {
        await SecretAsync();
        await Client.BatchV1.CreateNamespacedJobAsync(Job("broken", "echo boom >&2; exit 4", backoffLimit: 1), "default");
        var job = await EventuallyAsync(() => Client.BatchV1.ReadNamespacedJobAsync("broken", "default"),
            j => j.Status?.Conditions?.Any(c => c.Type == "Failed") == true, "the job failed");
        Assert.Equal(2, job.Status.Failed);
        Assert.Equal("BackoffLimitExceeded", job.Status.Conditions.Single(c => c.Type == "Failed").Reason);
        var pods = (await Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "job-name=broken")).Items;
        Assert.All(pods, p => Assert.Equal(4, p.Status.ContainerStatuses.Single().State.Terminated.ExitCode));

        await Client.BatchV1.CreateNamespacedJobAsync(Job("quick", "echo done", ttl: 0), "default");
        await EventuallyAsync(async () => (await Client.BatchV1.ListNamespacedJobAsync("default")).Items.Any(j => j.Metadata.Name == "quick"),
            present => !present, "the finished job was deleted by its TTL");
        await EventuallyAsync(async () => (await Client.CoreV1.ListNamespacedPodAsync("default", labelSelector: "job-name=quick")).Items.Count,
            count => count == 0, "its pods went with it");
    }
}
