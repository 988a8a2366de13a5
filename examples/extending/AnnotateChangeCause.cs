using Cake.Core;
using Cake.Core.Diagnostics;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Steps;
using TwisterLab.Cake.Steps.RollingUpgrade;

namespace TwisterLab.Extending;

/// <summary>
/// A step placed into RollingUpgrade without touching the chain: after ApplyMigrations, before SetImage (and so
/// wherever SetImage runs). It records its undo before the change, like every step of the library.
/// </summary>
[TaskDescription("Writes --release-note as the deployment's kubernetes.io/change-cause annotation, so kubectl rollout history says why (undo: the previous annotation).")]
[IsDependentOn(typeof(ApplyMigrations))]
[IsDependeeOf(typeof(SetImage))]
public sealed class AnnotateChangeCause : DeployStep
{
    public const string Annotation = "kubernetes.io/change-cause";

    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return context.Kubectl.Namespaced("annotate", $"deployment/{context.Deployment}", $"{Annotation}={Note(context)}", "--overwrite").ToString();
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var deployment = await context.Cluster.Deployments.GetAsync(context.Deployment, context.CancellationToken);
        var before = deployment.Metadata.Annotations?.TryGetValue(Annotation, out var value) == true ? value : null;
        context.Record(Name, new RestoreChangeCause(context.Deployment, context.Settings.Namespace, before));
        await ChangeCause.WriteAsync(context.Cluster.Client, context.Deployment, context.Settings.Namespace, Note(context), context.CancellationToken);
        context.Log.Information("{0}: {1}={2}", context.Deployment, Annotation, Note(context));
    }

    private static string Note(DeployContext context) =>
        context.Arguments.HasArgument(ReleaseNotes.Argument) ? context.Arguments.GetArgument(ReleaseNotes.Argument) : $"upgrade to {context.NewImage}";
}
