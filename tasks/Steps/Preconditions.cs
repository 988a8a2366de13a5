using TwisterLab.Cake.Context;

namespace TwisterLab.Cake.Steps;

/// <summary>
/// A step with input it cannot start without (an image tag, a file). Preflight asks every step the run will reach
/// and refuses the run, before any change, on the first problem.
/// </summary>
public interface IHasPreconditions
{
    /// <summary>What is missing or wrong for this step, with the fix; empty when it can run.</summary>
    IEnumerable<string> Problems(DeployContext context);
}

/// <summary>A step that deploys --image-tag.</summary>
public interface INeedImageTag : IHasPreconditions
{
    IEnumerable<string> IHasPreconditions.Problems(DeployContext context) =>
        context.Settings.ImageTag is null ? ["add --image-tag=<tag>, e.g. --image-tag=v2.0"] : [];
}

/// <summary>
/// A step that connects to PostgreSQL itself (integrity checksums, migrations written from here). Backups and
/// restores also work through exec in the postgres pod, so a run without --database-url gets as far as those;
/// a chain with one of these steps is refused by Preflight, before the backup and before any change.
/// </summary>
public interface INeedDirectDatabase
{
    public const string Problem = "add --database-url=postgresql://user:pass@host:5432/twisterlab (for a database in the cluster, open it with: kubectl port-forward svc/postgres 5432:5432)";
}

/// <summary>
/// A step that brings up the database --database-url points at (it may not answer before): the run's setup does not
/// try to reach it first.
/// </summary>
public interface IStartsTheDatabase;
