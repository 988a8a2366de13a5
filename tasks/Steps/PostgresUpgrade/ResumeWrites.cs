using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.PostgresUpgrade;

/// <summary>
/// The freeze lifted once the API runs on the new server: its writes go there now, so the pause ends. The old server
/// takes writes again too (a rollback puts the API back on it); nothing of the application writes there any more.
/// </summary>
[TaskDescription("Beyond the guide: the write freeze lifted once the restarted API writes to the new server; says how long writes were refused.")]
public sealed class ResumeWrites : DeployStep, INeedDirectDatabase
{
    // A run freezes on either path before it gets here; a dry run has not read the old server and plans the lift.
    public override bool ShouldRun(DeployContext context) => context.WritesFrozenAt is not null || context.CopiesByReplication is null;

    public override IEnumerable<string> Plan(DeployContext context)
    {
        yield return $"ALTER DATABASE {context.Settings.Profile.DatabaseName} RESET default_transaction_read_only   # on deployment/{context.Settings.Profile.PostgresDeployment}: the freeze lifted";
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        await WriteFreeze.LiftAsync(context.Database, context.CancellationToken);
        var paused = DateTimeOffset.UtcNow - context.WritesFrozenAt!.Value;
        var note = $"Writes were refused for {paused.TotalSeconds:0.0} s (from the freeze to the API restarted on deployment/{NewPostgres.Name(context)}).";
        context.Notes.Add(note);
        context.Log.Information(note);
    }
}
