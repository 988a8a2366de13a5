namespace TwisterLab.Cake.Context;

/// <summary>
/// How to undo one change, as plain data (not a closure) so that it survives the process in the run journal and
/// a later <c>--target=Rollback --run=&lt;id&gt;</c> can apply it. Its handler (see Rollback/) does the work and
/// must be idempotent: a killed process may have applied it without recording so.
/// </summary>
public abstract record Compensation
{
    /// <summary>The undo as an operator would type it, e.g. "kubectl rollout undo deployment/x --to-revision=3".</summary>
    public abstract string Describe();

    /// <summary>
    /// A change that cannot be undone safely by a machine (e.g. a schema migration without a downgrade). A failing run
    /// that passed one holds instead of rolling back, and a Rollback stops there.
    /// </summary>
    public virtual bool Irreversible => false;
}
