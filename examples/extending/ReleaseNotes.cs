using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using TwisterLab.Cake;
using TwisterLab.Cake.Context;

namespace TwisterLab.Extending;

/// <summary>
/// The extension: its tasks (this assembly: <see cref="AnnotateChangeCause"/>, found by the host like the library's),
/// and its argument. Its compensation's handler (<see cref="RestoreChangeCauseHandler"/>) is found in the same assembly.
/// </summary>
public sealed class ReleaseNotes : ITwisterLabExtension
{
    public const string Argument = "release-note";

    public Assembly Tasks => typeof(ReleaseNotes).Assembly;

    public void ConfigureServices(IServiceCollection services) =>
        services.AddSingleton(new ArgumentSpec(Argument,
            "RollingUpgrade: why this release, kept as the deployment's kubernetes.io/change-cause (kubectl rollout history shows it); default: the image.",
            Check: value => value.Length <= 200 ? null : "at most 200 characters: a line for kubectl rollout history, not release notes."));
}
