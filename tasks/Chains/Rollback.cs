using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback;

namespace TwisterLab.Cake.Chains;

/// <summary>
/// Finishes the rollback of an earlier run from its journal: the same runner a failing run's teardown uses,
/// so a run killed mid-chain (or one that ran with --no-rollback) is undone exactly as it would have been.
/// </summary>
[TaskName("Rollback")]
[TaskDescription("Undoes a run from its journal: --run=<id> (or latest). Applies only what is not yet undone, so a second call changes nothing.")]
public sealed class RollbackRun(CompensationRunner runner) : AsyncFrostingTask<DeployContext>, IDryRunnable
{
    public override async Task RunAsync(DeployContext context)
    {
        var journal = context.Runs.LoadJournal(RunIdOf(context));
        var pending = journal.PendingInReverse;
        if (pending.Count == 0)
        {
            context.Log.Information("Run {0} is already fully undone: nothing to do.", journal.RunId);
            return;
        }

        context.Log.Information("Undoing run {0} ({1}): {2} change(s).", journal.RunId, journal.Target, pending.Count);
        if (await runner.RollBackAsync(journal, CancellationToken.None) is { } failure)
        {
            throw new InvalidOperationException($"Rollback of run {journal.RunId} stopped: {failure}. Fix the cause and run it again.");
        }
    }

    public Task DryRunAsync(ICakeContext context)
    {
        var deploy = (DeployContext)context;
        foreach (var entry in deploy.Runs.LoadJournal(RunIdOf(deploy)).PendingInReverse)
        {
            deploy.Plan.Add("Rollback", entry.Description);
            deploy.Log.Information("  would: {0}", entry.Description);
        }

        return Task.CompletedTask;
    }

    private static string RunIdOf(DeployContext context) =>
        context.Settings.RunId ?? throw new BadInputException("Rollback needs --run=<id> (or --run=latest): the run whose journal to undo. Runs are in .twisterlab/runs/.");
}
