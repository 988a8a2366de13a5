using Cake.Common.Build;
using Cake.Common.Build.GitHubActions.Data;
using FilePath = Cake.Core.IO.FilePath;

namespace TwisterLab.Cake.Context;

/// <summary>
/// What a run tells the CI system it runs in, through Cake.Common's providers. GitHub Actions (GITHUB_ACTIONS=true):
/// a log group per step, <c>::add-mask::</c> for every secret, <c>::error</c>/<c>::warning</c> annotations, the outputs in
/// $GITHUB_OUTPUT and the report (or a dry run's plan) in the step summary. GitLab CI (GITLAB_CI=true): a collapsible
/// section per step and the same outputs in a dotenv file. Only the outermost run of a process speaks: the runs a
/// rehearsal drives inside its own step open no group inside that step's group, and write no outputs of their own.
/// </summary>
public static class CiPipeline
{
    /// <summary>The dotenv file's path; default <see cref="DefaultDotenv"/> in the working directory.</summary>
    public const string DotenvVariable = "TWISTERLAB_DOTENV";
    public const string DefaultDotenv = "twisterlab.env";

    /// <summary>The outputs, by their GitHub name; GitLab's dotenv gets them as TWISTERLAB_RUN_ID, ... (see <see cref="DotenvName"/>).</summary>
    public static IReadOnlyList<string> OutputNames { get; } = ["run-id", "outcome", "exit-code", "report", "cluster"];

    private static DeployContext? _owner;
    private static string? _openStep;

    /// <summary>The run's dotenv name of an output: never one the host would read back as an argument (cluster is --cluster's).</summary>
    public static string DotenvName(string output) =>
        ArgumentSources.EnvironmentPrefix + (output == "cluster" ? "cluster-id" : output).Replace('-', '_').ToUpperInvariant();

    /// <summary>At the run's setup: this run speaks for the process (unless an outer run does) and masks its secrets.</summary>
    public static void Begin(DeployContext context)
    {
        // Only a run under a CI system claims the process: a run elsewhere (a test host running beside it) never
        // silences the one that is.
        if (!(IsGitHub(context) || IsGitLab(context)) || Interlocked.CompareExchange(ref _owner, context, null) is not null || !IsGitHub(context))
        {
            return;
        }

        foreach (var secret in SecretValues(context))
        {
            context.GitHubActions().Commands.SetSecret(secret);
        }
    }

    public static void BeginStep(DeployContext context, string step)
    {
        if (!Speaks(context) || _openStep is not null)
        {
            return;
        }

        _openStep = step;
        if (IsGitHub(context))
        {
            context.GitHubActions().Commands.StartGroup(step);
        }
        else if (IsGitLab(context))
        {
            Console.WriteLine($"\u001b[0Ksection_start:{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}:{SectionName(step)}[collapsed=true]\r\u001b[0K{step}");
        }
    }

    public static void EndStep(DeployContext context, string step)
    {
        if (!Speaks(context) || _openStep != step)
        {
            return;
        }

        _openStep = null;
        if (IsGitHub(context))
        {
            context.GitHubActions().Commands.EndGroup();
        }
        else if (IsGitLab(context))
        {
            Console.WriteLine($"\u001b[0Ksection_end:{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}:{SectionName(step)}\r\u001b[0K");
        }
    }

    /// <summary>A warning worth more than a log line (a version below the guide's recommendation): an annotation on GitHub.</summary>
    public static void Warning(DeployContext context, string message)
    {
        if (Speaks(context) && IsGitHub(context))
        {
            context.GitHubActions().Commands.Warning(context.Redactor.Redact(message), new GitHubActionsAnnotation { Title = context.Target });
        }
    }

    /// <summary>
    /// At the run's teardown: the annotation its outcome deserves, the outputs, and the report (or the plan) in the
    /// step summary. <paramref name="report"/> is null for a dry run.
    /// </summary>
    public static void End(DeployContext context, RunOutcome outcome, int exitCode, string? error, string? report, string? summary)
    {
        if (Interlocked.CompareExchange(ref _owner, null, context) != context)
        {
            return;
        }

        _openStep = null;
        var outputs = new Dictionary<string, string>
        {
            ["run-id"] = context.IsDryRun ? "" : context.RunId,
            ["outcome"] = Outcome(outcome),
            ["exit-code"] = exitCode.ToString(),
            ["report"] = report ?? "",
            ["cluster"] = context.ReachedBinding?.ClusterId ?? "",
        };
        if (IsGitHub(context))
        {
            Annotate(context, outcome, exitCode, error);
            // Cake's provider throws without $GITHUB_OUTPUT (an old runner, a hand-set GITHUB_ACTIONS): the summary still goes out.
            if (context.Environment.GetEnvironmentVariable("GITHUB_OUTPUT") is { Length: > 0 })
            {
                foreach (var (name, value) in outputs)
                {
                    context.GitHubActions().Commands.SetOutputParameter(name, value);
                }
            }

            if (summary is not null && context.Environment.GetEnvironmentVariable("GITHUB_STEP_SUMMARY") is { Length: > 0 })
            {
                context.GitHubActions().Commands.SetStepSummary(context.Redactor.Redact(summary));
            }
        }

        if (IsGitLab(context))
        {
            WriteDotenv(context, outputs);
        }
    }

    /// <summary>A run that records nothing (the target listing): no outputs, and the process is free for another run.</summary>
    public static void Release(DeployContext context)
    {
        if (Interlocked.CompareExchange(ref _owner, null, context) == context)
        {
            _openStep = null;
        }
    }

    /// <summary>The outcome as outputs and annotations spell it: rolled-back, rollback-failed, ...</summary>
    public static string Outcome(RunOutcome outcome) =>
        string.Concat(outcome.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    private static void Annotate(DeployContext context, RunOutcome outcome, int exitCode, string? error)
    {
        var annotation = new GitHubActionsAnnotation { Title = $"{context.Target}: {Outcome(outcome)} (exit {exitCode})" };
        var message = context.Redactor.Redact(outcome switch
        {
            RunOutcome.Degraded => $"Degraded: {context.DegradedReason}. The journal is kept: --target=Rollback --run={context.RunId} if you decide to go back.",
            RunOutcome.Held => $"Held for a person: {context.HeldReason ?? error}. Read the report; --target=Rollback --run={context.RunId} or FullRollback.",
            _ => $"{error ?? "failed"}{(context.Notes.Count > 0 ? " " + string.Join(" ", context.Notes) : "")}",
        });
        if (outcome == RunOutcome.Degraded)
        {
            context.GitHubActions().Commands.Warning(message, annotation);
        }
        else if (exitCode != 0)
        {
            context.GitHubActions().Commands.Error(message, annotation);
        }
    }

    private static void WriteDotenv(DeployContext context, IReadOnlyDictionary<string, string> outputs)
    {
        var configured = context.Environment.GetEnvironmentVariable(DotenvVariable);
        var path = Path.GetFullPath(string.IsNullOrEmpty(configured) ? DefaultDotenv : configured, context.Environment.WorkingDirectory.FullPath);
        // One line per output: a second run in the same job replaces the first one's values.
        var names = outputs.Keys.Select(DotenvName).ToHashSet();
        var kept = File.Exists(path) ? File.ReadAllLines(path).Where(line => !names.Contains(line.Split('=', 2)[0])).ToList() : [];
        File.WriteAllLines(path, kept);
        foreach (var (name, value) in outputs)
        {
            context.GitLabCI().Commands.SetEnvironmentVariable(new FilePath(path), DotenvName(name), value);
        }
    }

    private static bool Speaks(DeployContext context) => ReferenceEquals(_owner, context);

    private static bool IsGitHub(DeployContext context) => context.GitHubActions().IsRunningOnGitHubActions;

    // Cake's provider looks at CI_SERVER=yes; GitLab sets GITLAB_CI=true too, and that is the variable people know.
    private static bool IsGitLab(DeployContext context) =>
        context.GitLabCI().IsRunningOnGitLabCI || context.Environment.GetEnvironmentVariable("GITLAB_CI") == "true";

    // GitLab's section names: letters, digits, '_', '.', '-'.
    private static string SectionName(string step) => "twisterlab_" + new string(step.Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_').ToArray());

    /// <summary>Every secret argument's value, and a URL's password alone too (the log may show it apart from its URL).</summary>
    private static IEnumerable<string> SecretValues(DeployContext context)
    {
        foreach (var spec in context.KnownArguments.Where(spec => spec.Secret && context.Arguments.HasArgument(spec.Name)))
        {
            foreach (var value in context.Arguments.GetArguments(spec.Name).Where(value => !string.IsNullOrEmpty(value)))
            {
                yield return value;
                if (Password(value) is { Length: >= 4 } password)
                {
                    yield return password;
                }
            }
        }
    }

    private static string? Password(string address)
    {
        if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.UserInfo.Split(':', 2) is [_, var password])
        {
            return Uri.UnescapeDataString(password);
        }

        try
        {
            return Data.PostgresTarget.Parse(address).Password;
        }
        catch (Data.DataOperationException)
        {
            return null;
        }
    }
}
