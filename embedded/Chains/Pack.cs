using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Steps.Pack;

namespace TwisterLab.Cake.Chains;

[TaskDescription("Packs the twisterlab dotnet tool and the TwisterLab.Cake library into artifacts/packages/ (version from git tags, MinVer).")]
[IsDependentOn(typeof(PackPackages))]
public sealed class Pack : FrostingTask<DeployContext>;
