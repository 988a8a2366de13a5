using TwisterLab.Cake.Context;
using TwisterLab.Cake.Tools;

namespace TwisterLab.Cake.Rollback.Compose;

/// <summary>Undo of docker compose down: the same project started again, from the folder the run stopped it in.</summary>
public sealed record StartComposeAgain(string? ComposeFile, string WorkingDirectory, string? DockerHost) : Compensation
{
    public override string Describe() => $"cd {WorkingDirectory} && {DockerRunner.Describe(UpArguments(), new DockerSettings { Host = DockerHost })}";

    public global::Cake.Core.IO.ProcessArgumentBuilder UpArguments() => DockerRunner.Compose(new DockerComposeProject(ComposeFile), "up", "--detach");
}

public sealed class StartComposeAgainHandler(DeployContext context) : CompensationHandler<StartComposeAgain>
{
    // docker compose up -d of a project that runs already changes nothing: idempotent.
    protected override Task ApplyAsync(StartComposeAgain compensation, CancellationToken cancellationToken)
    {
        var docker = new DockerRunner(context.FileSystem, context.Environment, context.ProcessRunner, context.Tools);
        var result = docker.Capture(new DockerSettings { Host = compensation.DockerHost, WorkingDirectory = compensation.WorkingDirectory }, compensation.UpArguments());
        return result.Succeeded
            ? Task.CompletedTask
            : throw new InvalidOperationException($"{compensation.Describe()} exited {result.ExitCode}: {result.LastError}");
    }
}
