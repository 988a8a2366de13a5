using Cake.Core;
using Cake.Core.IO;
using Cake.Core.Tooling;

namespace TwisterLab.Cake.Tools;

/// <summary>Cake runner for pg_restore (restore and <c>--list</c>).</summary>
public sealed class PgRestoreRunner(IFileSystem fileSystem, ICakeEnvironment environment, IProcessRunner processRunner, IToolLocator tools)
    : Tool<PgRestoreSettings>(fileSystem, environment, processRunner, tools)
{
    public void Run(PgRestoreSettings settings) => Run(settings, BuildArguments(settings));

    /// <summary>Runs <c>pg_restore --list</c> and returns the table of contents lines.</summary>
    public IReadOnlyList<string> List(PgRestoreSettings settings)
    {
        settings.List = true;
        IReadOnlyList<string> lines = [];
        Run(settings, BuildArguments(settings), new ProcessSettings { RedirectStandardOutput = true, RedirectStandardError = true },
            process => lines = process.GetStandardOutput().ToList());
        return lines;
    }

    /// <summary>Runs with explicit process settings (e.g. redirected output) and a callback that sees the finished process.</summary>
    public void RunWith(PgRestoreSettings settings, ProcessSettings processSettings, Action<IProcess> postAction) =>
        Run(settings, BuildArguments(settings), processSettings, postAction);

    public static ProcessArgumentBuilder BuildArguments(PgRestoreSettings settings)
    {
        var builder = new ProcessArgumentBuilder();
        if (settings.List)
        {
            builder.Append("--list");
            builder.AppendQuoted(settings.ArchivePath);
            return builder;
        }
        AppendRestoreOptions(builder, settings);
        builder.AppendConnection(settings);
        builder.AppendQuoted(settings.ArchivePath);
        return builder;
    }

    private static void AppendRestoreOptions(ProcessArgumentBuilder builder, PgRestoreSettings settings)
    {
        if (settings.ExitOnError) builder.Append("--exit-on-error");
        if (settings.NoOwner) builder.Append("--no-owner");
        if (settings.Clean)
        {
            builder.Append("--clean");
            builder.Append("--if-exists");
        }
        if (settings.SingleTransaction && settings.Jobs is not > 1) builder.Append("--single-transaction");
        builder.AppendJobs(settings.Jobs);
    }

    protected override string GetToolName() => "pg_restore";

    protected override IEnumerable<string> GetToolExecutableNames() => ["pg_restore"];

    protected override IEnumerable<FilePath> GetAlternativeToolPaths(PgRestoreSettings settings) => PgToolLocator.Alternatives("pg_restore");

    protected override IDictionary<string, string> GetEnvironmentVariables(PgRestoreSettings settings) => settings.ToolEnvironment();
}
