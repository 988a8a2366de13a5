using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Steps.Rehearsal;

namespace TwisterLab.Cake.Chains;

[TaskDescription("Rehearses every target end to end on the embedded world with real PostgreSQL and Redis, judged by exit code and by the world each leaves.")]
[IsDependentOn(typeof(RehearseEveryTarget))]
public sealed class Rehearse : FrostingTask<DeployContext>;
