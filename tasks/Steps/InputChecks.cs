using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake.Steps;

/// <summary>
/// What the run's setup checks once the chain is known and before any step runs (so before any journal record),
/// in a dry run too: --inject-failure names a step of this chain, every step has its required input, a SQLite file
/// passes quick_check. A real run then reaches each server an argument names (a plan needs none of them). The
/// first problem refuses the run in one line (exit 2).
/// A real run does not wait for quick_check here (<see cref="SqliteQuickCheck"/>, started with the process): the first
/// change does (<see cref="DeployContext.BeginChange"/>).
/// </summary>
public static class InputChecks
{
    public static void Run(DeployContext context, IReadOnlyList<IFrostingTask> steps)
    {
        var sqlite = SqliteContentsAsync(context);
        var problem = InjectedStep(context) ?? StepInputs(context, steps);
        if (context.IsDryRun)
        {
            problem ??= sqlite.GetAwaiter().GetResult() ?? JournalProblem(context);
        }
        else
        {
            context.DeferInputCheck(sqlite);
            problem ??= JournalProblem(context) ?? ServersAsync(context, steps).GetAwaiter().GetResult();
        }

        if (problem is not null)
        {
            throw new BadInputException(problem);
        }
    }

    private static string? InjectedStep(DeployContext context)
    {
        if (context.Settings.InjectFailureAt is not { } injected ||
            context.TasksToRun.Any(step => string.Equals(step, injected, StringComparison.OrdinalIgnoreCase)))
        {
            return null;
        }

        var steps = context.TasksToRun.Where(step => step != context.Target).ToList();
        return $"--{DeployArguments.InjectFailure}: '{injected}' is not a step of {context.Target}, so nothing would fail.{Suggestions.DidYouMean(Suggestions.Closest(injected, steps))} " +
               $"Its steps: {string.Join(", ", steps)}.";
    }

    /// <summary>Each step's required input (an image tag, a file), asked of every step the run reaches.</summary>
    private static string? StepInputs(DeployContext context, IReadOnlyList<IFrostingTask> steps)
    {
        var problems = steps.OfType<IHasPreconditions>()
            .SelectMany(step => step.Problems(context).Select(problem => $"{TaskCatalog.NameOf(step.GetType())}: {problem}"))
            .Concat(context.Settings.DatabaseUrl is null
                ? steps.OfType<INeedDirectDatabase>().Take(1).Select(step => $"{TaskCatalog.NameOf(step.GetType())}: {INeedDirectDatabase.Problem}")
                : [])
            .Distinct()
            .ToList();
        return problems.Count > 0 ? $"{context.Target} cannot start: {string.Join("; ", problems)}." : null;
    }

    private static async Task<string?> SqliteContentsAsync(DeployContext context) =>
        context.Settings.SqlitePath is { } path && await SqliteQuickCheck.Of(path) is { } problem
            ? $"--{DeployArguments.SqlitePath}: {problem}"
            : null;

    /// <summary>
    /// The local journal --run names can be read (a damaged one is refused naming the file, before any undo). 'latest'
    /// reads every journal when it is resolved, and a run without a local journal is read from the cluster's copy.
    /// </summary>
    private static string? JournalProblem(DeployContext context)
    {
        if (context.Settings.RunId is { } run && run != "latest" && File.Exists(context.Runs.JournalOf(run)))
        {
            context.Runs.LoadJournal(run); // throws the one-line refusal itself
        }

        return null;
    }

    /// <summary>
    /// The servers named by arguments, reached as the steps will reach them. Not those a step of this run brings up
    /// itself (the database of MigrateSqliteToPostgres, the API of a Compose migration).
    /// </summary>
    private static async Task<string?> ServersAsync(DeployContext context, IReadOnlyList<IFrostingTask> steps)
    {
        var settings = context.Settings;
        var token = context.CancellationToken;
        if (settings.DatabaseUrl is { } database && !steps.OfType<IStartsTheDatabase>().Any() && !steps.OfType<IInstallsApplication>().Any() &&
            await EarlyPostgresProbe.PostgresAsync(database, token) is { } databaseProblem)
        {
            return $"--{DeployArguments.DatabaseUrl}: {databaseProblem}";
        }

        if (settings.RedisUrl is { } redis && await ServerProbes.RedisAsync(redis, token) is { } redisProblem)
        {
            return $"--{DeployArguments.RedisUrl}: {redisProblem}";
        }

        if (context.Arguments.HasArgument(DeployArguments.ApiUrl) && !steps.OfType<IInstallsApplication>().Any() &&
            await ServerProbes.HttpAsync(context.Http, context.HealthUrl, token) is { } apiProblem)
        {
            return $"--{DeployArguments.ApiUrl}: {apiProblem}";
        }

        if (context.Arguments.HasArgument(DeployArguments.PrometheusUrl) &&
            await ServerProbes.HttpAsync(context.Http, settings.PrometheusUrl!.TrimEnd('/') + "/-/ready", token) is { } prometheusProblem)
        {
            return $"--{DeployArguments.PrometheusUrl}: {prometheusProblem}";
        }

        return null;
    }
}
