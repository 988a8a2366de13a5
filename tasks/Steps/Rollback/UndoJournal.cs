using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback;

namespace TwisterLab.Cake.Steps.Rollback;

/// <summary>
/// Finishes the rollback of an earlier run from its journal: the runner a failing run's teardown uses, so a run
/// killed mid-chain (or run with --no-rollback) is undone exactly as it would have been. Only with --run.
/// </summary>
[TaskDescription("Undoes the run named by --run=<id> (or latest) from its journal; only what is not yet undone, so a second call changes nothing.")]
public sealed class UndoJournal(CompensationRunner runner) : DeployStep
{
    public override bool ShouldRun(DeployContext context) => context.Settings.RunId is not null;

    public override IEnumerable<string> Plan(DeployContext context) =>
        context.Settings.RunId is not null
            ? context.JournalToUndo()?.PendingInReverse.Select(entry => entry.Description) ?? ["(no unfinished run: nothing to undo)"]
            : ["(with --run=<id>) apply the run's journal, last change first"];

    protected override async Task ExecuteAsync(DeployContext context)
    {
        // Refused here, before any change, when the journal was recorded on another cluster, namespace or environment.
        if (context.JournalToUndo() is not { } journal)
        {
            context.Log.Information("--run=latest: no run is unfinished, nothing to undo.");
            return;
        }

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
}
