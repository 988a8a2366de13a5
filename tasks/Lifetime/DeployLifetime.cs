using Cake.Core.Diagnostics;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback;
using TwisterLab.Cake.Rollback.Cluster;
using Microsoft.Extensions.DependencyInjection;
using TwisterLab.Cake.Safety;
using TwisterLab.Cake.Steps;

namespace TwisterLab.Cake.Lifetime;

/// <summary>
/// Around the whole run. Teardown is where a failed or interrupted run rolls back (never a task's OnError,
/// which would swallow the failure), and where the report is written. A dry run touches nothing here.
/// </summary>
public sealed class DeployLifetime(CompensationRunner runner, IServiceProvider services) : FrostingLifetime<DeployContext>
{
    public override void Setup(DeployContext context, ISetupContext info)
    {
        var settings = context.Settings;
        context.TasksToRun = info.TasksToExecute.Select(task => task.Name).ToList();
        CiPipeline.Begin(context);
        // Before any step, so before any journal record; in a dry run too, so a plan says what the run would refuse.
        InputChecks.Run(context, StepsToRun(context));
        var mode = context.IsDryRun ? "plan (dry run: nothing will change)" : $"run {context.RunId}";
        context.Log.Information("{0}: {1}, environment {2}, namespace {3}, cluster {4}", info.TargetTask.Name, mode, settings.Environment, settings.Namespace, context.DescribeCluster());
        if (!context.IsDryRun)
        {
            RunFiles.SweepPartials(context);
        }
    }

    public override void Teardown(DeployContext context, ITeardownContext info)
    {
        context.StopProgress();
        if (context.IsDryRun)
        {
            context.Outcome = RunOutcome.Planned;
            var refused = info.ThrownException is { } thrown ? context.Redactor.Redact(Innermost(thrown).Message) : null;
            CiPipeline.End(context, refused is null ? RunOutcome.Planned : RunOutcome.Rejected, refused is null ? 0 : Hosting.ExitCodes.BadInput, refused, report: null,
                refused is null && context.Plan.Actions.Count > 0 ? PlanSummary(context) : null);
            if (context.Plan.Actions.Count > 0)
            {
                // The head names the cluster (from the kubeconfig, not called), so a plan is never read as one for another cluster.
                context.Log.Information("Plan for {0} on {1}, namespace {2}, environment {3} (dry run: nothing was changed):\n{4}",
                    context.Target, context.DescribeCluster(), context.Settings.Namespace, context.Settings.Environment, context.Plan.Render());
                // A plan's report (outcome "planned", every step "planned") for a pipeline's plan job; beside the runs, not
                // among them, since it changed nothing and has no journal.
                var plan = RunReports.Build(context, error: null).WriteTo(context.Runs.PlanFolderOf(context.RunId));
                context.Log.Information("Plan report: {0}", plan);
            }

            return;
        }

        if (context.Target == ListingTarget)
        {
            CiPipeline.Release(context);
            // Listing the targets and arguments changes nothing, so it leaves no run folder behind.
            return;
        }

        if (context.ContentAtFreeze is { } pinned)
        {
            // Sessions held open on both servers since the write freeze: closed before any undo (one drops the new database).
            context.ContentAtFreeze = null;
            pinned.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        context.Outcome = Conclude(context, info);
        context.ConcludeJournal(context.Outcome);
        RunFiles.Close(context);
        var error = info.ThrownException is { } exception ? context.Redactor.Redact(Innermost(exception).Message) : null;
        var report = RunReports.Build(context, error);
        var markdown = report.WriteTo(context.Runs.FolderOf(context.RunId));
        if (context.Log is RedactingLog log)
        {
            // Cake prints the error itself after this teardown, so the console has it; the file gets it here.
            if (error is not null)
            {
                log.Record(LogLevel.Error, error);
            }

            PrivateFiles.WriteAllLines(Path.Combine(context.Runs.FolderOf(context.RunId), "log.txt"), log.Lines);
        }

        CiPipeline.End(context, report.Outcome, report.ExitCode, error, Path.Combine(context.Runs.FolderOf(context.RunId), "report.json"), report.ToMarkdown());
        context.Log.Information("{0}: {1} (exit {2}). Report: {3}", context.Target, report.Outcome, report.ExitCode, markdown);
        context.ReleaseAsync().AsTask().GetAwaiter().GetResult();
    }

    /// <summary>A dry run's step summary: the plan, as the log prints it.</summary>
    private static string PlanSummary(DeployContext context) =>
        $"### Plan for {context.Target}\n\nCluster {context.DescribeCluster()}, namespace {context.Settings.Namespace}, environment {context.Settings.Environment} (dry run: nothing was changed)\n\n```\n{context.Plan.Render()}\n```\n";

    /// <summary>What ./build.sh runs without --target (the host's default).</summary>
    private const string ListingTarget = "Default";

    private List<IFrostingTask> StepsToRun(DeployContext context)
    {
        var tasks = services.GetServices<IFrostingTask>().ToList();
        return context.TasksToRun
            .Select(name => tasks.FirstOrDefault(task => TaskCatalog.NameOf(task.GetType()) == name))
            .OfType<IFrostingTask>()
            .ToList();
    }

    private RunOutcome Conclude(DeployContext context, ITeardownContext info)
    {
        if (context.HeldReason is { } held)
        {
            context.Notes.Add($"Held: {held}. The journal is kept: finish with --target=Rollback --run={context.RunId}, or decide otherwise.");
            return RunOutcome.Held;
        }

        if (context.RollbackStopped is { } stopped)
        {
            context.Notes.Add(stopped);
            return RunOutcome.RollbackFailed;
        }

        if (info.Successful)
        {
            return context.DegradedReason is null ? RunOutcome.Succeeded : RunOutcome.Degraded;
        }

        if (context.InterruptedBy is { } signal)
        {
            context.Notes.Add($"Interrupted by {signal}.");
        }

        if (context.Journal is not { PendingInReverse.Count: > 0 } journal)
        {
            return IsBadInput(info.ThrownException) ? RunOutcome.Rejected : RunOutcome.Failed;
        }

        if (journal.PendingInReverse.FirstOrDefault(entry => entry.Irreversible) is { } irreversible)
        {
            // Undoing the image over a schema it was never written for is worse than stopping: a person decides.
            context.Notes.Add($"Held: {context.Target} failed after an irreversible change ({irreversible.Description}); nothing was undone. " +
                              $"Restore with --target=FullRollback --backup={context.LastBackup ?? "<backup>"}, or fix forward.");
            return RunOutcome.Held;
        }

        if (context.Settings.NoRollback)
        {
            context.Notes.Add($"Rollback skipped (--no-rollback). Undo with --target=Rollback --run={context.RunId}.");
            return RunOutcome.FailedWithoutRollback;
        }

        context.Log.Warning("{0} failed: rolling back {1} change(s).", context.Target, journal.PendingInReverse.Count);
        // Not the run's token: a Ctrl+C that stopped the run must not also stop its rollback.
        string? failure;
        try
        {
            failure = runner.RollBackAsync(journal, CancellationToken.None, context.FenceAsync).GetAwaiter().GetResult();
        }
        catch (SchemaAheadOfImageException ahead)
        {
            context.Notes.Add($"Held: {ahead.Message}. The rest of the journal is kept: --target=Rollback --run={context.RunId} once the schema is back.");
            return RunOutcome.Held;
        }
        catch (HoldException lost)
        {
            // Another run holds the namespace now: undoing over its changes would be a second writer.
            context.Notes.Add($"Held: {lost.Message}. The rest of the journal is kept: --target=Rollback --run={context.RunId} once that run is done.");
            return RunOutcome.Held;
        }

        if (failure is null)
        {
            return RunOutcome.RolledBack;
        }

        context.Notes.Add($"Rollback incomplete ({failure}). Fix the cause, then run --target=Rollback --run={context.RunId}.");
        return RunOutcome.RollbackFailed;
    }

    private static bool IsBadInput(Exception? exception) =>
        exception is not null && (exception is BadInputException || IsBadInput(exception.InnerException));

    private static Exception Innermost(Exception exception) =>
        exception is CakeReportException { InnerException: { } inner } ? Innermost(inner) : exception;
}
