using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Tools;

namespace TwisterLab.Cake.Steps.ComposeMigration;

/// <summary>
/// pg_dump of the Compose database into a file of the run's backup folder, streamed (never held in memory). Inside the
/// Compose container as the guide does, or, with --compose-database-url, straight from that server. Changes nothing.
/// </summary>
[TaskDescription("Guide step 2: docker exec twisterlab-db pg_dump -U twisterlab twisterlab > compose_export.sql (or pg_dump of --compose-database-url).")]
public sealed class ExportComposeDatabase : DeployStep, IHasLivePreconditions
{
    public IEnumerable<string> DescribeChecks(DeployContext context)
    {
        if (ComposeHost.UsesDocker(context))
        {
            yield return ComposeHost.Describe(context, DockerRunner.Version()) + "   # a Docker engine must answer";
        }
        else
        {
            yield return "SELECT 1 on <--compose-database-url>   # the Compose database must answer";
        }
    }

    public async Task<IReadOnlyList<string>> ProblemsAsync(DeployContext context)
    {
        if (ComposeHost.UsesDocker(context))
        {
            return ComposeHost.EngineProblem(context) is { } problem ? [problem] : [];
        }

        try
        {
            await using var connection = await PostgresErrors.OpenAsync(ComposeHost.Database(context)!, context.CancellationToken);
            return [];
        }
        catch (DataOperationException exception)
        {
            return [$"--compose-database-url: {exception.Message}"];
        }
    }

    public override IEnumerable<string> Plan(DeployContext context)
    {
        var export = context.Shown(ComposeHost.ExportPath(context));
        yield return ComposeHost.UsesDocker(context)
            ? $"{ComposeHost.Describe(context, DockerRunner.Exec(PgDumpInContainer(context)))} > {export}"
            : $"pg_dump --format=plain <--compose-database-url> > {export}   # straight from that server: no Docker";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var path = ComposeHost.ExportPath(context);
        // Written under a .partial name and renamed once pg_dump succeeded: a failed export never looks like a whole one.
        var partial = path + ".partial";
        PrivateFiles.CreateFolder(context.Settings.BackupDir);
        var (exitCode, errors) = ComposeHost.Database(context) is { } database
            ? await DumpDirectAsync(database, partial, context.CancellationToken)
            : await DumpInContainerAsync(context, partial);
        if (exitCode != 0)
        {
            File.Delete(partial);
            throw new InvalidOperationException($"pg_dump of the Compose database exited {exitCode}: {errors}");
        }

        File.Move(partial, path);

        context.Notes.Add($"Compose database exported to {path} ({new FileInfo(path).Length:N0} bytes).");
        context.Log.Information("Compose database exported to {0} ({1:N0} bytes).", path, new FileInfo(path).Length);
    }

    private static async Task<(int, string)> DumpInContainerAsync(DeployContext context, string path)
    {
        var result = await ComposeHost.Docker(context).StreamToFileAsync(ComposeHost.DockerSettings(context), DockerRunner.Exec(PgDumpInContainer(context)), path, context.CancellationToken);
        return (result.ExitCode, context.Redactor.Redact(result.LastError));
    }

    private static async Task<(int, string)> DumpDirectAsync(PostgresTarget database, string path, CancellationToken cancellationToken)
    {
        var dump = new LocalPgDump(DirectSettings(database));
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20, useAsync: true);
        var exitCode = await dump.WriteDumpAsync(file, cancellationToken);
        return (exitCode, dump.Diagnostics.Trim());
    }

    /// <summary>
    /// pg_dump in the Compose container: the guide's -U twisterlab twisterlab over the container's own socket, and
    /// --no-password so a pipeline fails instead of waiting for a prompt.
    /// </summary>
    private static DockerExec PgDumpInContainer(DeployContext context) =>
        new(context.Settings.ComposeDbContainer, ["pg_dump", "-U", context.Settings.Profile.DatabaseUser, "--no-password", context.Settings.Profile.DatabaseName]);

    private static PgDumpSettings DirectSettings(PostgresTarget database)
    {
        var settings = new PgDumpSettings { Format = PgDumpFormat.Plain };
        settings.ConnectTo(database);
        return settings;
    }
}
