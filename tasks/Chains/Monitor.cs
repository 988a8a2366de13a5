using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Steps;

namespace TwisterLab.Cake.Chains;

[TaskDescription("The monitoring checklist and decision matrix on the running version, over --monitor-window (exit 4 when degraded).")]
[IsDependentOn(typeof(MonitorHealth))]
public sealed class Monitor : FrostingTask<DeployContext>;
