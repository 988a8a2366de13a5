using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using Cake.Core.Diagnostics;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake.Rollback;

/// <summary>
/// Undoes a run: applies the journal's pending compensations, last change first, each marked in the journal as
/// soon as it is applied. A failing run's teardown and <c>--target=Rollback --run=&lt;id&gt;</c> both call this.
/// </summary>
public sealed class CompensationRunner(IServiceProvider services, ICakeLog log, SecretRedactor redactor)
{
    /// <summary>
    /// Test-only: the compensation kind named here is marked applied without being applied (a broken undo that
    /// claims success), so a test can prove the rehearsal's world verdict catches what an exit code cannot.
    /// </summary>
    public const string BreakUndoVariable = "TWISTERLAB_TEST_BREAK_UNDO";

    /// <summary>A runner over given handler instances (tests, tools), without a host's container.</summary>
    public static CompensationRunner For(IEnumerable<ICompensationHandler> handlers, ICakeLog log, SecretRedactor redactor)
    {
        var services = new ServiceCollection();
        foreach (var handler in handlers)
        {
            services.AddKeyedSingleton(handler.RecordType.Name, handler);
        }

        return new CompensationRunner(services.BuildServiceProvider(), log, redactor);
    }

    /// <summary>
    /// Returns null when everything was undone, else the first failure. It stops there: later undos may rely on
    /// this one (scaling the API back up over a database that failed to restore would make things worse).
    /// </summary>
    /// <param name="fence">
    /// Called before each undo: proves the run still holds the namespace's lock (it throws when another run took it
    /// over, and then nothing more is undone by this one).
    /// </param>
    public async Task<string?> RollBackAsync(RunJournal journal, CancellationToken cancellationToken, Func<CancellationToken, Task>? fence = null)
    {
        foreach (var entry in journal.PendingInReverse)
        {
            if (entry.Irreversible)
            {
                log.Error("Stopping at #{0} ({1}): {2} cannot be undone automatically.", entry.Sequence, entry.Step, entry.Description);
                return $"#{entry.Sequence} cannot be undone automatically ({entry.Description})";
            }

            if (fence is not null)
            {
                await fence(cancellationToken);
            }

            log.Information("Undoing #{0} ({1}): {2}", entry.Sequence, entry.Step, entry.Description);
            entry.UndoStartedAt = DateTimeOffset.UtcNow;
            try
            {
                var handler = services.GetKeyedService<ICompensationHandler>(entry.Kind)
                    ?? throw new InvalidOperationException($"no handler knows how to undo '{entry.Kind}' (is this build older than the run?)");
                var compensation = (Compensation)(entry.Data.Deserialize(handler.RecordType, RunJournal.Json)
                    ?? throw new InvalidDataException($"journal entry #{entry.Sequence} has no data"));
                if (Environment.GetEnvironmentVariable(BreakUndoVariable) == entry.Kind)
                {
                    log.Warning("Not undoing #{0}: {1} is broken on purpose ({2}).", entry.Sequence, entry.Kind, BreakUndoVariable);
                }
                else
                {
                    await handler.ApplyAsync(compensation, cancellationToken);
                }

                journal.MarkApplied(entry);
            }
            catch (HoldException hold)
            {
                // Not a failed undo: undoing it now would be worse than stopping (e.g. an image older than the schema).
                log.Error("Holding at #{0} ({1}): {2}", entry.Sequence, entry.Description, redactor.Redact(hold.Message));
                throw;
            }
            catch (Exception exception)
            {
                var error = redactor.Redact(exception.Message);
                journal.MarkFailed(entry, error);
                log.Error("Could not undo #{0} ({1}): {2}", entry.Sequence, entry.Description, error);
                return $"undo #{entry.Sequence} failed: {error}";
            }
        }

        return null;
    }
}
