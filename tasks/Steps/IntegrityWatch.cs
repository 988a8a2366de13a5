using Npgsql;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;

namespace TwisterLab.Cake.Steps;

/// <summary>
/// The monitor's database integrity check: the tables and alembic revision at the start of the window, read again at
/// its end. A table gone, unreadable (PostgreSQL's XX class: data or index corrupted) or a revision moved with no
/// migration running is the decision matrix's "database corruption". Needs --database-url; without it, "not measured".
/// </summary>
public sealed class IntegrityWatch
{
    private readonly IntegritySnapshot? _start;

    private IntegrityWatch(IntegritySnapshot? start) => _start = start;

    public static async Task<IntegrityWatch> StartAsync(DeployContext context)
    {
        if (!context.Postgres.IsDirect)
        {
            return new IntegrityWatch(null);
        }

        try
        {
            return new IntegrityWatch(await IntegritySnapshotter.TakeAsync(context.Database, withChecksums: false, context.CancellationToken));
        }
        catch (DataOperationException exception)
        {
            context.Log.Warning("Integrity not watched: {0}", exception.Message);
            return new IntegrityWatch(null);
        }
    }

    /// <summary>True: intact; false: corrupted (said in the log); null: not measured.</summary>
    public async Task<bool?> CheckAsync(DeployContext context)
    {
        if (_start is null)
        {
            return null;
        }

        IntegritySnapshot now;
        try
        {
            now = await IntegritySnapshotter.TakeAsync(context.Database, withChecksums: false, context.CancellationToken);
        }
        catch (DataOperationException exception) when (exception.InnerException is PostgresException { SqlState: var state } && state.StartsWith("XX", StringComparison.Ordinal))
        {
            context.Log.Error("Integrity: {0}", exception.Message);
            return false;
        }

        var missing = _start.Tables.Select(table => table.Table).Except(now.Tables.Select(table => table.Table)).ToList();
        if (missing.Count > 0 || now.AlembicRevision != _start.AlembicRevision)
        {
            context.Log.Error("Integrity: {0}", missing.Count > 0
                ? $"table(s) {string.Join(", ", missing)} gone during the window"
                : $"alembic revision moved from {_start.AlembicRevision ?? "(none)"} to {now.AlembicRevision ?? "(none)"} during the window");
            return false;
        }

        return true;
    }
}
