using System.Reflection;
using Cake.Cli;

namespace TwisterLab.Cake.Hosting.Internal;

/// <summary>
/// --version prints the package version of TwisterLab.Cake (MinVer sets it from git tags; the tool carries the same),
/// not the entry assembly's description that Cake.Cli's resolver reads. --info adds the commit it was built from.
/// </summary>
internal sealed class PackageVersionResolver : IVersionResolver
{
    public string GetVersion() => GetProductVersion().Split('+')[0];

    public string GetProductVersion() =>
        typeof(PackageVersionResolver).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
