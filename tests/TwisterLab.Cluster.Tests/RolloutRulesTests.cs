using k8s.Models;
using TwisterLab.Cake.Cluster;

namespace TwisterLab.Cluster.Tests;

/// <summary>kubectl's rollout-status rules and our pod rules, as table tests over plain objects.</summary>
public sealed class RolloutRulesTests
{
    public static IEnumerable<object?[]> Cases => new object?[][]
    {
        // case, generation, observedGeneration, spec.replicas, updated, replicas, available, Progressing reason, --revision, state, message
        new object?[] { "spec change not observed yet", 3, 2, 3, 3, 3, 3, null, null, RolloutState.Waiting, "Waiting for deployment spec update to be observed..." },
        new object?[] { "missing observedGeneration", 1, null, 3, 0, 0, 0, null, null, RolloutState.Waiting, "Waiting for deployment spec update to be observed..." },
        new object?[] { "new replicas being created", 2, 2, 3, 1, 4, 3, "ReplicaSetUpdated", null, RolloutState.Waiting, "Waiting for deployment \"web\" rollout to finish: 1 out of 3 new replicas have been updated..." },
        new object?[] { "old replicas terminating", 2, 2, 3, 3, 4, 3, "ReplicaSetUpdated", null, RolloutState.Waiting, "Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination..." },
        new object?[] { "updated not yet available", 2, 2, 3, 3, 3, 2, "ReplicaSetUpdated", null, RolloutState.Waiting, "Waiting for deployment \"web\" rollout to finish: 2 of 3 updated replicas are available..." },
        new object?[] { "complete", 2, 2, 3, 3, 3, 3, "NewReplicaSetAvailable", null, RolloutState.Complete, "deployment \"web\" successfully rolled out" },
        new object?[] { "observed beyond generation is complete too", 2, 5, 3, 3, 3, 3, null, null, RolloutState.Complete, "deployment \"web\" successfully rolled out" },
        new object?[] { "scaled to zero", 4, 4, 0, null, null, null, "NewReplicaSetAvailable", null, RolloutState.Complete, "deployment \"web\" successfully rolled out" },
        new object?[] { "deadline exceeded wins over counts", 2, 2, 3, 1, 4, 3, "ProgressDeadlineExceeded", null, RolloutState.Failed, "deployment \"web\" exceeded its progress deadline" },
        new object?[] { "deadline ignored until observed", 3, 2, 3, 1, 4, 3, "ProgressDeadlineExceeded", null, RolloutState.Waiting, "Waiting for deployment spec update to be observed..." },
        new object?[] { "other revision running", 2, 2, 3, 3, 3, 3, null, 7, RolloutState.Failed, "desired revision (7) is different from the running revision (2)" },
        new object?[] { "desired revision running", 2, 2, 3, 3, 3, 3, null, 2, RolloutState.Complete, "deployment \"web\" successfully rolled out" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluates_like_kubectl(string @case, int generation, int? observed, int? wanted, int? updated, int? replicas, int? available, string? progressing, int? revision, RolloutState state, string message)
    {
        var deployment = new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "web", Generation = generation, Annotations = new Dictionary<string, string> { [RolloutRules.RevisionAnnotation] = "2" } },
            Spec = new V1DeploymentSpec { Replicas = wanted },
            Status = new V1DeploymentStatus
            {
                ObservedGeneration = observed,
                UpdatedReplicas = updated,
                Replicas = replicas,
                AvailableReplicas = available,
                Conditions = progressing is null ? null : [new V1DeploymentCondition { Type = "Progressing", Status = progressing == "ProgressDeadlineExceeded" ? "False" : "True", Reason = progressing }],
            },
        };

        var result = RolloutRules.Evaluate(deployment, (long?)revision);

        Assert.True(state == result.State, @case);
        Assert.Equal(message, result.Message);
    }

    public static TheoryData<string, string?, int, string?, int, string?> PodCases => new()
    {
        // case, waiting reason, restarts, terminated reason, threshold, expected problem (substring) or null
        { "image pull back-off", "ImagePullBackOff", 0, null, 3, "ImagePullBackOff" },
        { "image pull error", "ErrImagePull", 0, null, 3, "ErrImagePull" },
        { "invalid image name", "InvalidImageName", 0, null, 3, "InvalidImageName" },
        { "crash loop under threshold", "CrashLoopBackOff", 2, null, 3, null },
        { "crash loop at threshold", "CrashLoopBackOff", 3, null, 3, "CrashLoopBackOff after 3 restarts" },
        { "container creating", "ContainerCreating", 0, null, 3, null },
        { "running", null, 0, null, 3, null },
    };

    [Theory]
    [MemberData(nameof(PodCases))]
    public void Finds_pods_that_will_not_heal(string @case, string? waiting, int restarts, string? terminated, int threshold, string? expected)
    {
        var pod = Pod(waiting, restarts, terminated, ready: false);

        var problem = RolloutRules.FatalProblem(pod, threshold);

        if (expected is null)
        {
            Assert.True(problem is null, $"{@case}: {problem}");
        }
        else
        {
            Assert.True(problem?.Contains(expected) == true, $"{@case}: {problem}");
        }
    }

    [Fact]
    public void Says_why_a_pod_is_not_ready()
    {
        Assert.Null(RolloutRules.NotReadyReason(Pod(null, 0, null, ready: true)));
        Assert.Equal("container app: CrashLoopBackOff (4 restarts): back-off", RolloutRules.NotReadyReason(Pod("CrashLoopBackOff", 4, null, ready: false, message: "back-off")));
        Assert.Equal("container app: running, not ready (readiness probe failing)", RolloutRules.NotReadyReason(Pod(null, 0, null, ready: false)));
        Assert.Contains("exit code 1", RolloutRules.NotReadyReason(Pod(null, 0, "Error", ready: false)));
    }

    [Fact]
    public void A_terminating_pod_is_not_ready()
    {
        var pod = Pod(null, 0, null, ready: true);
        pod.Metadata.DeletionTimestamp = DateTime.UtcNow;
        Assert.False(RolloutRules.IsReady(pod));
    }

    private static V1Pod Pod(string? waiting, int restarts, string? terminated, bool ready, string? message = null) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p" },
        Status = new V1PodStatus
        {
            Phase = "Running",
            Conditions = [new V1PodCondition { Type = "Ready", Status = ready ? "True" : "False" }],
            ContainerStatuses =
            [
                new V1ContainerStatus
                {
                    Name = "app",
                    Image = "x",
                    ImageID = "",
                    Ready = ready,
                    RestartCount = restarts,
                    State = waiting is not null ? new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = waiting, Message = message } }
                        : terminated is not null ? new V1ContainerState { Terminated = new V1ContainerStateTerminated { Reason = terminated, ExitCode = 1 } }
                        : new V1ContainerState { Running = new V1ContainerStateRunning() },
                },
            ],
        },
    };
}
