using Cake.Core;
using Cake.Core.IO;
using Cake.Core.Tooling;

namespace TwisterLab.Cake.Tools;

/// <summary>
/// Cake runner for pg_dump. Used as-is when the dump goes to a file or folder; the streaming backup (stdout into
/// a file or an exec stream) reuses <see cref="BuildArguments"/> with its own process, because Cake's process
/// runner reads standard output as text lines and would corrupt a binary archive.
/// </summary>
public sealed class PgDumpRunner(IFileSystem fileSystem, ICakeEnvironment environment, IProcessRunner processRunner, IToolLocator tools)
    : Tool<PgDumpSettings>(fileSystem, environment, processRunner, tools)
{
    public void Run(PgDumpSettings settings) => Run(settings, BuildArguments(settings));

    public static ProcessArgumentBuilder BuildArguments(PgDumpSettings settings)
    {
        var builder = new ProcessArgumentBuilder();
        AppendFormat(builder, settings);
        AppendCompression(builder, settings);
        builder.AppendJobs(settings.Format == PgDumpFormat.Directory ? settings.Jobs : null);
        AppendSnapshot(builder, settings);
        if (settings.SchemaOnly) builder.Append("--schema-only");
        if (settings.NoOwner) builder.Append("--no-owner");
        if (settings.NoPrivileges) builder.Append("--no-privileges");
        if (settings.Clean) builder.Append("--clean").Append("--if-exists");
        if (!string.IsNullOrEmpty(settings.OutputPath)) builder.AppendSwitchQuoted("--file", "=", settings.OutputPath);
        builder.AppendConnection(settings);
        return builder;
    }

    private static void AppendFormat(ProcessArgumentBuilder builder, PgDumpSettings settings) =>
        builder.AppendSwitch("--format", "=", settings.Format switch
        {
            PgDumpFormat.Custom => "custom",
            PgDumpFormat.Directory => "directory",
            PgDumpFormat.Tar => "tar",
            _ => "plain",
        });

    private static void AppendCompression(ProcessArgumentBuilder builder, PgDumpSettings settings)
    {
        if (settings.Compression is { } level) builder.AppendSwitch("--compress", "=", level.ToString());
    }

    private static void AppendSnapshot(ProcessArgumentBuilder builder, PgDumpSettings settings)
    {
        if (!string.IsNullOrEmpty(settings.Snapshot)) builder.AppendSwitchQuoted("--snapshot", "=", settings.Snapshot);
    }

    protected override string GetToolName() => "pg_dump";

    protected override IEnumerable<string> GetToolExecutableNames() => ["pg_dump"];

    protected override IEnumerable<FilePath> GetAlternativeToolPaths(PgDumpSettings settings) => PgToolLocator.Alternatives("pg_dump");

    protected override IDictionary<string, string> GetEnvironmentVariables(PgDumpSettings settings) => settings.ToolEnvironment();
}
