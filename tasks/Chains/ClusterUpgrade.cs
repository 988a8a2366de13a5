using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Steps;
using TwisterLab.Cake.Steps.ClusterUpgrade;

namespace TwisterLab.Cake.Chains;

[TaskDescription("Kubernetes cluster upgrade (1.28 -> 1.29), worker nodes one by one: drain, upgrade kubelet (--node-upgrade-command), uncordon, verify; then apply -f k8s/ --dry-run=server. A failing node is uncordoned and the run holds.")]
[IsDependentOn(typeof(Preflight))]
[IsDependentOn(typeof(CheckClusterVersion))]
[IsDependentOn(typeof(UpgradeWorkerNodes))]
[IsDependentOn(typeof(CheckDeprecatedApis))]
public sealed class ClusterUpgrade : FrostingTask<DeployContext>;
