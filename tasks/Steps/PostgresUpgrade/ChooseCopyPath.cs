using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.PostgresUpgrade;

/// <summary>
/// Reads whether the old server can publish its changes (wal_level = logical, a key on every table) and chooses the
/// copy: by replication (the API keeps writing; a pause of seconds at the switch) or the guide's dump/restore with
/// writes refused for the whole copy, never losing one. Says which, and the pause to expect. Changes nothing.
/// </summary>
[TaskDescription("Beyond the guide: choose how the data moves — logical replication while the API writes (wal_level = logical) or dump/restore with writes refused throughout — and say the pause to expect.")]
public sealed class ChooseCopyPath : DeployStep, IHasLivePreconditions, INeedDirectDatabase
{
    public IEnumerable<string> DescribeChecks(DeployContext context)
    {
        yield return "SHOW wal_level; tables without a primary key or replica identity   # on the old server (--database-url)";
    }

    public async Task<IReadOnlyList<string>> ProblemsAsync(DeployContext context)
    {
        if (context.Settings.PgCopy != "replication")
        {
            return [];
        }

        var readiness = await LogicalReplication.ReadinessAsync(context.Database, context.CancellationToken);
        return readiness.Problem is { } problem ? [$"--pg-copy=replication: {problem}; or pass --pg-copy=dump (writes refused for the whole copy)"] : [];
    }

    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return context.Settings.PgCopy switch
        {
            "replication" => "copy by logical replication while the API writes; expected write pause: a few seconds at any size (final catch-up, sequences, switch; checksums after writes resume)",
            "dump" => $"copy by dump/restore with writes refused for the whole copy; expected write pause: about {CopyPath.DumpSecondsPerMillionRows:0} s per million rows",
            _ => $"SHOW wal_level   # logical: copy by replication while the API writes, pause of a few seconds; otherwise dump/restore with writes refused for the whole copy (about {CopyPath.DumpSecondsPerMillionRows:0} s per million rows)",
        };
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var readiness = await LogicalReplication.ReadinessAsync(context.Database, context.CancellationToken);
        context.CopiesByReplication = context.Settings.PgCopy switch { "replication" => true, "dump" => false, _ => readiness.Possible };
        var pause = TimeSpan.FromSeconds(readiness.EstimatedRows / 1e6 * CopyPath.DumpSecondsPerMillionRows);
        var note = context.CopiesByReplication == true
            ? $"PostgreSQL copy: by logical replication (wal_level = {readiness.WalLevel}) while the API keeps writing; writes pause only for the switch (a few seconds)."
            : $"PostgreSQL copy: by dump/restore with writes refused for the whole copy (~{readiness.EstimatedRows:N0} rows: about {Math.Max(1, pause.TotalSeconds):0} s plus the restart)" +
              (readiness.Problem is { } why && context.Settings.PgCopy == "auto" ? $"; replication is not possible: {why}." : ".");
        context.Notes.Add(note);
        context.Log.Information(note);
    }
}
