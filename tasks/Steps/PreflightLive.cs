using Microsoft.Extensions.DependencyInjection;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps;

/// <summary>
/// A step whose input can only be checked against the live cluster or servers (the Secret it patches exists, the
/// deployment it creates does not yet). <see cref="PreflightLive"/> asks before any change.
/// </summary>
public interface IHasLivePreconditions
{
    /// <summary>What the check reads, as the commands an operator would type (for the plan).</summary>
    IEnumerable<string> DescribeChecks(DeployContext context);

    /// <summary>What is missing or wrong, with the fix; empty when the step can run.</summary>
    Task<IReadOnlyList<string>> ProblemsAsync(DeployContext context);
}

/// <summary>
/// The second half of the preflight: Preflight checks arguments and files, this one the live objects the run's steps
/// name. A problem refuses the run (exit 2) while nothing has changed yet.
/// </summary>
[TaskDescription("Checks before any change, against the live cluster: the objects and servers this run's steps name are there (and what it creates is not yet).")]
public sealed class PreflightLive(IServiceProvider services) : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context) =>
        Steps(context).SelectMany(step => step.DescribeChecks(context)).Distinct();

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var problems = new List<(string Step, string Problem)>();
        foreach (var step in Steps(context))
        {
            problems.AddRange((await step.ProblemsAsync(context)).Select(problem => (TaskCatalog.NameOf(step.GetType()), problem)));
        }

        if (problems.Count > 0)
        {
            // One problem several steps share (no Docker engine for any of them) is said once, naming them all.
            var lines = problems.GroupBy(entry => entry.Problem).Select(group => $"{string.Join(", ", group.Select(entry => entry.Step).Distinct())}: {group.Key}");
            throw new BadInputException($"{context.Target} cannot start: {string.Join("; ", lines)}.");
        }
    }

    private IEnumerable<IHasLivePreconditions> Steps(DeployContext context)
    {
        var tasks = services.GetServices<IFrostingTask>().ToList();
        return context.TasksToRun
            .Select(name => tasks.FirstOrDefault(task => TaskCatalog.NameOf(task.GetType()) == name))
            .OfType<IHasLivePreconditions>();
    }
}
