using Cake.Core;
using Cake.Core.IO;
using Cake.Core.Tooling;

namespace TwisterLab.Cake.Tools;

/// <summary>Cake runner for psql.</summary>
public sealed class PsqlRunner(IFileSystem fileSystem, ICakeEnvironment environment, IProcessRunner processRunner, IToolLocator tools)
    : Tool<PsqlSettings>(fileSystem, environment, processRunner, tools)
{
    public void Run(PsqlSettings settings) => Run(settings, BuildArguments(settings));

    /// <summary>Runs with explicit process settings (e.g. redirected output) and a callback that sees the finished process.</summary>
    public void RunWith(PsqlSettings settings, ProcessSettings processSettings, Action<IProcess> postAction) =>
        Run(settings, BuildArguments(settings), processSettings, postAction);

    public static ProcessArgumentBuilder BuildArguments(PsqlSettings settings)
    {
        var builder = new ProcessArgumentBuilder();
        builder.Append("--quiet");
        builder.Append("--no-psqlrc"); // a user's ~/.psqlrc must not change how a restore behaves
        AppendErrorHandling(builder, settings);
        AppendVariables(builder, settings);
        builder.AppendConnection(settings);
        AppendInput(builder, settings);
        return builder;
    }

    private static void AppendErrorHandling(ProcessArgumentBuilder builder, PsqlSettings settings)
    {
        if (settings.StopOnError) builder.Append("--set=ON_ERROR_STOP=1");
        if (settings.SingleTransaction) builder.Append("--single-transaction");
    }

    private static void AppendVariables(ProcessArgumentBuilder builder, PsqlSettings settings)
    {
        foreach (var (name, value) in settings.Variables) builder.AppendSwitchQuoted("--set", "=", $"{name}={value}");
        // A secret's value goes through psql's environment; \getenv (psql 15+) sets the variable from it before the script.
        foreach (var name in settings.SecretVariables.Keys) builder.AppendSwitchQuoted("--command", "=", $"\\getenv {name} {PsqlSettings.SecretVariablePrefix}{name}");
    }

    private static void AppendInput(ProcessArgumentBuilder builder, PsqlSettings settings)
    {
        if (!string.IsNullOrEmpty(settings.File)) builder.AppendSwitchQuoted("--file", "=", settings.File);
        if (!string.IsNullOrEmpty(settings.Command)) builder.AppendSwitchQuoted("--command", "=", settings.Command);
    }

    protected override string GetToolName() => "psql";

    protected override IEnumerable<string> GetToolExecutableNames() => ["psql"];

    protected override IEnumerable<FilePath> GetAlternativeToolPaths(PsqlSettings settings) => PgToolLocator.Alternatives("psql");

    protected override IDictionary<string, string> GetEnvironmentVariables(PsqlSettings settings) => settings.ToolEnvironment();
}
