using System.Runtime.CompilerServices;

namespace TwisterLab.Cake.Tests;

/// <summary>
/// The tests' hosts are the build host's: the library with the embedded world (embedded/) registered, as
/// build/Program.cs registers it, before any test builds a host.
/// </summary>
internal static class EmbeddedRegistration
{
    [ModuleInitializer]
    internal static void Register() => EmbeddedExtension.Register();
}
