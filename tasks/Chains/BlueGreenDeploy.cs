using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Steps;
using TwisterLab.Cake.Steps.BlueGreen;

namespace TwisterLab.Cake.Chains;

[TaskDescription("Zero-downtime blue-green: green beside blue, wait ready, switch the Service (--canary=<percent> first), monitor, retire blue after --scale-down-delay.")]
[IsDependentOn(typeof(Preflight))]
[IsDependentOn(typeof(MeasureBaseline))]
[IsDependentOn(typeof(DeployGreen))]
[IsDependentOn(typeof(WaitGreenReady))]
[IsDependentOn(typeof(SwitchTraffic))]
[IsDependentOn(typeof(MonitorHealth))]
[IsDependentOn(typeof(RetireBlue))]
public sealed class BlueGreenDeploy : FrostingTask<DeployContext>;
