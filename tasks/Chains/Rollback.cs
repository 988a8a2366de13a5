using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Steps.Rollback;

namespace TwisterLab.Cake.Chains;

[TaskDescription("Quick rollback: rollout undo + status. With --run=<id|latest>: finishes the rollback of that run from its journal instead.")]
[IsDependentOn(typeof(UndoJournal))]
[IsDependentOn(typeof(UndoLastRollout))]
public sealed class Rollback : FrostingTask<DeployContext>;
