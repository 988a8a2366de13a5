namespace TwisterLab.Cake.Hosting.Internal;

/// <summary>Cake configuration from the environment (CAKE_SECTION_KEY), as Cake's own runner reads it.</summary>
internal sealed class HostConfiguration : ICakeConfiguration
{
    public string? GetValue(string key) =>
        Environment.GetEnvironmentVariable("CAKE_" + key.Replace('.', '_').ToUpperInvariant());
}
