using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Steps;
using TwisterLab.Cake.Steps.RedisUpgrade;

namespace TwisterLab.Cake.Chains;

[TaskDescription("Redis upgrade (6.2 -> 7.2): SAVE and copy dump.rdb out, set image, rollout status, PING and version check. Undo: the previous image; the dump copy is kept and reported.")]
[IsDependentOn(typeof(Preflight))]
[IsDependentOn(typeof(SaveRedisDump))]
[IsDependentOn(typeof(SetRedisImage))]
[IsDependentOn(typeof(WaitForRedisRollout))]
[IsDependentOn(typeof(VerifyRedis))]
public sealed class RedisUpgrade : FrostingTask<DeployContext>;
