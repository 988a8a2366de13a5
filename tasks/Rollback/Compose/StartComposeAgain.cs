using Cake.Core.IO;
using Cake.Core.Tooling;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Tools;

namespace TwisterLab.Cake.Rollback.Compose;

/// <summary>Undo of docker compose down: the same project started again, from the folder the run stopped it in.</summary>
public sealed record StartComposeAgain(string? ComposeFile, string WorkingDirectory, string? DockerHost) : Compensation
{
    public override string Describe() => $"cd {WorkingDirectory} && {DockerRunner.Describe(UpArguments(), new DockerSettings { Host = DockerHost })}";

    public global::Cake.Core.IO.ProcessArgumentBuilder UpArguments() => DockerRunner.Compose(new DockerComposeProject(ComposeFile), "up", "--detach");
}

// Cake's own process machinery, not the run's DeployContext: the record says where and how.
public sealed class StartComposeAgainHandler(IFileSystem fileSystem, ICakeEnvironment environment, IProcessRunner processRunner, IToolLocator tools) : CompensationHandler<StartComposeAgain>
{
    // docker compose up -d of a project that runs already changes nothing: idempotent.
    protected override Task ApplyAsync(StartComposeAgain compensation, CancellationToken cancellationToken)
    {
        var docker = new DockerRunner(fileSystem, environment, processRunner, tools);
        var result = docker.Capture(new DockerSettings { Host = compensation.DockerHost, WorkingDirectory = compensation.WorkingDirectory }, compensation.UpArguments());
        return result.Succeeded
            ? Task.CompletedTask
            : throw new InvalidOperationException($"{compensation.Describe()} exited {result.ExitCode}: {result.LastError}");
    }
}
