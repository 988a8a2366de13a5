using System.Diagnostics;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rollback.Data;

namespace TwisterLab.Cake.Steps.PostgresUpgrade;

/// <summary>
/// Writes resumed: every table's row count and content checksum on both servers as they were at the freeze (the
/// snapshots <see cref="VerifyNewPostgresIntegrity"/> pinned), equal. Exact, however much the API writes meanwhile, and outside the pause, so the pause does not grow with size.
/// <para>
/// A difference holds the run instead of undoing it. By now the acknowledged writes are split: those before the freeze
/// on the old server (which still has all of them), those since the switch only on the new one. The journal's undo
/// (DATABASE_URL back, the new server removed) would lose the second kind, and staying silently would keep the first
/// kind's difference: neither is sound, so a person decides, with the tables named. An irreversible entry is recorded
/// so a later --target=Rollback stops there too.
/// </para>
/// </summary>
[TaskDescription("Beyond the guide: once writes resume, per-table row counts and content checksums of both servers as they were at the freeze (the pinned snapshots) compared; a difference holds the run (exit 3) instead of switching back over the writes made since.")]
public sealed class VerifyContentAtFreeze : DeployStep, INeedDirectDatabase
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return $"compare per-table row counts and content checksums of deployment/{NewPostgres.Name(context)} with deployment/{context.Settings.Profile.PostgresDeployment}, both as pinned at the freeze   # writes already resumed; a difference holds";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var pinned = context.ContentAtFreeze ?? throw new InvalidOperationException("No content was pinned at the write freeze in this run (VerifyNewPostgresIntegrity did not run).");
        var clock = Stopwatch.StartNew();
        IntegritySnapshot old, @new;
        try
        {
            var reading = pinned.New.ReadAsync(context.CancellationToken);
            old = await pinned.Old.ReadAsync(context.CancellationToken);
            @new = await reading;
        }
        finally
        {
            context.ContentAtFreeze = null;
            await pinned.DisposeAsync();
        }

        var problems = @new.CompareTo(old).Select(difference => $"{difference.Table}: {difference.Problem}").ToList();
        if (problems.Count > 0)
        {
            var differences = string.Join("; ", problems);
            context.Record(Name, new SwitchedWithDifferences(NewPostgres.Name(context), context.Settings.Profile.PostgresDeployment, differences));
            throw context.Hold(
                $"deployment/{NewPostgres.Name(context)} did not hold what deployment/{context.Settings.Profile.PostgresDeployment} held at the write freeze ({differences}). " +
                $"The API already writes to {NewPostgres.Name(context)}: switching back would lose those writes, so nothing is undone. " +
                $"deployment/{context.Settings.Profile.PostgresDeployment} still has every write acknowledged before the freeze (nothing of the application writes there now): repair the tables named from it");
        }

        context.Log.Information("Content at the freeze: {0} tables with the same row counts and checksums on both servers ({1:N0} rows, read in {2:0.0} s after writes resumed).",
            @new.Tables.Count, @new.Tables.Sum(table => table.Rows), clock.Elapsed.TotalSeconds);
    }
}
