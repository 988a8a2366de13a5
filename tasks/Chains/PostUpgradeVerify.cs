using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Steps.Verify;

namespace TwisterLab.Cake.Chains;

[TaskDescription("Post-upgrade verification: the guide's checklist (health, MCP tools, schema, logs, metrics), as a table in the log and report.")]
[IsDependentOn(typeof(VerifyUpgrade))]
public sealed class PostUpgradeVerify : FrostingTask<DeployContext>;
