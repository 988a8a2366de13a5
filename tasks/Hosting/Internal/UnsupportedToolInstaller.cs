using Cake.Core.IO;
using Cake.Core.Packaging;
using Cake.Core.Tooling;

namespace TwisterLab.Cake.Hosting.Internal;

/// <summary>
/// Cake's context needs a tool installer. Our tools (pg_dump, kubectl, docker…) come from the machine, so
/// installing one from a package is refused with the reason instead of pretending.
/// </summary>
internal sealed class UnsupportedToolInstaller : IToolInstaller
{
    public IEnumerable<FilePath> Install(PackageReference tool) =>
        throw new NotSupportedException($"Installing tools from packages is not supported by this host ({tool.OriginalString}); install the tool on the machine.");
}
