using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Compose;
using TwisterLab.Cake.Tools;

namespace TwisterLab.Cake.Steps.ComposeMigration;

/// <summary>
/// Stops Docker Compose, last, once Kubernetes has passed its health check. Skipped, in one line, with --keep-compose
/// or when the export came straight from --compose-database-url (no Docker on this machine). Undo: docker compose up -d.
/// </summary>
[TaskDescription("Guide step 6: docker compose down — only after the Kubernetes health check passed (undo: docker compose up -d). Skipped with --keep-compose or --compose-database-url.")]
[IsDependentOn(typeof(VerifyHealth))] // never stop Compose before Kubernetes answers healthy
public sealed class StopCompose : DeployStep, IHasLivePreconditions
{
    public IEnumerable<string> DescribeChecks(DeployContext context) =>
        SkipReason(context) is null ? [ComposeHost.Describe(context, DockerRunner.Version()) + "   # a Docker engine must answer"] : [];

    public Task<IReadOnlyList<string>> ProblemsAsync(DeployContext context) =>
        Task.FromResult<IReadOnlyList<string>>(SkipReason(context) is null && ComposeHost.EngineProblem(context) is { } problem ? [problem] : []);

    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return SkipReason(context) is { } reason
            ? $"# docker compose down skipped: {reason}"
            : ComposeHost.Describe(context, Down(context));
    }

    protected override Task ExecuteAsync(DeployContext context)
    {
        if (SkipReason(context) is { } reason)
        {
            context.Notes.Add($"Docker Compose left running: {reason}.");
            context.Log.Information("docker compose down skipped: {0}.", reason);
            return Task.CompletedTask;
        }

        var project = Project(context);
        context.Record(Name, new StartComposeAgain(project.File, context.Environment.WorkingDirectory.FullPath, context.Settings.DockerHost));
        var result = ComposeHost.Docker(context).Capture(ComposeHost.DockerSettings(context), Down(context));
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"{ComposeHost.Describe(context, Down(context))} exited {result.ExitCode}: {context.Redactor.Redact(result.LastError)}");
        }

        context.Log.Information("Docker Compose stopped; Kubernetes serves TwisterLab now.");
        return Task.CompletedTask;
    }

    private static DockerComposeProject Project(DeployContext context) => new(context.Settings.ComposeFile);

    private static global::Cake.Core.IO.ProcessArgumentBuilder Down(DeployContext context) => DockerRunner.Compose(Project(context), "down");

    private static string? SkipReason(DeployContext context) =>
        context.Settings.KeepCompose ? "--keep-compose"
        : !ComposeHost.UsesDocker(context) ? "the export came from --compose-database-url (no Docker here); stop Compose on its host once you are satisfied"
        : null;
}
