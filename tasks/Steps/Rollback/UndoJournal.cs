using TwisterLab.Cake.Rollback.Cluster;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback;

namespace TwisterLab.Cake.Steps.Rollback;

/// <summary>
/// Finishes the rollback of an earlier run from its journal: the runner a failing run's teardown uses, so a run
/// killed mid-chain (or run with --no-rollback) is undone exactly as it would have been. Only with --run. The journal
/// is the local one, else the copy kept in the namespace (the machine that ran it may be gone). Undoing is a change
/// like any other: production's confirmation, the namespace's lock (refused while a live run holds it), the fence.
/// </summary>
[TaskDescription("Undoes the run named by --run=<id> (or latest) from its journal, local or kept in the cluster; only what is not yet undone, so a second call changes nothing.")]
public sealed class UndoJournal(CompensationRunner runner) : DeployStep
{
    public override bool ShouldRun(DeployContext context) => context.Settings.RunId is not null;

    public override IEnumerable<string> Plan(DeployContext context)
    {
        if (context.Settings.RunId is null)
        {
            return ["(with --run=<id>) apply the run's journal, last change first"];
        }

        if (context.RunToUndo is not { } resolved)
        {
            return ["(no unfinished run: nothing to undo)"];
        }

        // A plan reaches no cluster: without the local journal it names the copy the run would read.
        return File.Exists(context.Runs.JournalOf(resolved)) || context.Runs.KeptByTheOtherKind(resolved)
            ? context.JournalToUndo()!.PendingInReverse.Select(entry => entry.Description)
            : [$"{context.Cluster.RunJournals.DescribeRead(resolved)}   # the journal kept in the cluster (no local copy)", "apply its pending undos, last change first"];
    }

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

        context.BeginChange();
        context.Log.Information("Undoing run {0} ({1}): {2} change(s).", journal.RunId, journal.Target, pending.Count);
        string? failure;
        try
        {
            failure = await runner.RollBackAsync(journal, CancellationToken.None, context.FenceAsync);
        }
        catch (SchemaAheadOfImageException ahead)
        {
            journal.Conclude(DeployContext.StateOf(RunOutcome.Held));
            throw context.Hold($"Rollback of run {journal.RunId} stopped before putting an image back: {ahead.Message}");
        }

        if (failure is null)
        {
            journal.Conclude(DeployContext.StateOf(RunOutcome.RolledBack));
            // Fully undone: nothing may need the sealed values any more.
            context.SecretStash.Forget();
            return;
        }

        if (journal.PendingInReverse is [{ Irreversible: true } irreversible, ..])
        {
            journal.Conclude(DeployContext.StateOf(RunOutcome.Held));
            throw context.Hold($"Rollback of run {journal.RunId} stopped at #{irreversible.Sequence}, which cannot be undone automatically ({irreversible.Description})");
        }

        journal.Conclude(DeployContext.StateOf(RunOutcome.RollbackFailed));
        throw context.StopRollback($"Rollback of run {journal.RunId} stopped: {failure}. Fix the cause and run it again.");
    }
}
