using System.Text.Json;
using k8s;
using k8s.Models;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Rollback;

namespace TwisterLab.Extending;

/// <summary>The undo of <see cref="AnnotateChangeCause"/>, as plain data for the run journal: the annotation as it was (null: none).</summary>
public sealed record RestoreChangeCause(string Deployment, string Namespace, string? Previous) : Compensation
{
    public override string Describe() => Previous is null
        ? new Kubectl(null, Namespace).Namespaced("annotate", $"deployment/{Deployment}", AnnotateChangeCause.Annotation + "-").ToString()
        : new Kubectl(null, Namespace).Namespaced("annotate", $"deployment/{Deployment}", $"{AnnotateChangeCause.Annotation}={Previous}", "--overwrite").ToString();
}

/// <summary>Puts the annotation back; idempotent (a merge patch to the same value, or removing what is already gone).</summary>
public sealed class RestoreChangeCauseHandler(ClusterGateway cluster) : CompensationHandler<RestoreChangeCause>
{
    protected override Task ApplyAsync(RestoreChangeCause compensation, CancellationToken cancellationToken) =>
        ChangeCause.WriteAsync(cluster.Client, compensation.Deployment, compensation.Namespace, compensation.Previous, cancellationToken);
}

internal static class ChangeCause
{
    /// <summary>A JSON merge patch of the one annotation (null removes it), as kubectl annotate sends.</summary>
    public static Task WriteAsync(IKubernetes client, string deployment, string @namespace, string? value, CancellationToken cancellationToken)
    {
        var patch = JsonSerializer.Serialize(new { metadata = new { annotations = new Dictionary<string, string?> { [AnnotateChangeCause.Annotation] = value } } });
        return client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(patch, V1Patch.PatchType.MergePatch), deployment, @namespace, cancellationToken: cancellationToken);
    }
}
