using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake.Rollback.Data;

/// <summary>
/// Undo of a copy by logical replication: the subscription dropped on the new server, the publication and the slot on
/// the old one (a slot left behind would keep the old server's WAL forever). Both addresses are sealed in the journal.
/// </summary>
public sealed record DropUpgradeReplication(string OldProtected, string NewProtected, string OldShown, string NewShown) : Compensation
{
    public override string Describe() =>
        $"DROP SUBSCRIPTION {LogicalReplication.Name}   # on {NewShown}; DROP PUBLICATION {LogicalReplication.Name} and its slot   # on {OldShown}";
}

public sealed class DropUpgradeReplicationHandler(SecretStash stash) : CompensationHandler<DropUpgradeReplication>
{
    // Every drop checks existence first: idempotent.
    protected override Task ApplyAsync(DropUpgradeReplication compensation, CancellationToken cancellationToken) =>
        LogicalReplication.DropAsync(PostgresTarget.Parse(stash.Unprotect(compensation.OldProtected)), PostgresTarget.Parse(stash.Unprotect(compensation.NewProtected)), cancellationToken);
}

/// <summary>Undo of a write freeze: the database accepts writes again.</summary>
public sealed record LiftWriteFreeze(string ServerProtected, string Shown, string Database) : Compensation
{
    public override string Describe() => $"ALTER DATABASE {Database} RESET default_transaction_read_only   # on {Shown}: writes accepted again";
}

public sealed class LiftWriteFreezeHandler(SecretStash stash) : CompensationHandler<LiftWriteFreeze>
{
    // RESET of a setting that is not set does nothing: idempotent.
    protected override Task ApplyAsync(LiftWriteFreeze compensation, CancellationToken cancellationToken) =>
        WriteFreeze.LiftAsync(PostgresTarget.Parse(stash.Unprotect(compensation.ServerProtected)).WithDatabase(compensation.Database), cancellationToken);
}

/// <summary>
/// The API switched to a new server whose content at the write freeze differs from the old one's: no automatic way
/// back, since the writes acknowledged after the switch are only on the new server. A rollback holds here (exit 3).
/// </summary>
public sealed record SwitchedWithDifferences(string NewServer, string OldServer, string Differences) : Compensation
{
    public override bool Irreversible => true;

    public override string Describe() =>
        $"the API writes to deployment/{NewServer}, whose content at the freeze differed from deployment/{OldServer} ({Differences}): repair those tables from {OldServer}; switching back would lose the writes made since the switch";
}

public sealed class SwitchedWithDifferencesHandler : CompensationHandler<SwitchedWithDifferences>
{
    protected override Task ApplyAsync(SwitchedWithDifferences compensation, CancellationToken cancellationToken) =>
        throw new InvalidOperationException(compensation.Describe());
}
