using Cake.Core.IO;

namespace TwisterLab.Cake.Hosting.Internal;

/// <summary>
/// Cake's environment, except that the working directory belongs to this run instead of the process: Cake's own
/// sets the process's current directory, so two runs in one process (a rehearsal, parallel tests) would move each
/// other. Everything else is Cake's <see cref="CakeEnvironment"/>.
/// </summary>
internal sealed class HostEnvironment(ICakePlatform platform, ICakeRuntime runtime) : ICakeEnvironment
{
    private readonly CakeEnvironment _cake = new(platform, runtime);
    private DirectoryPath _workingDirectory = new(Directory.GetCurrentDirectory());

    public DirectoryPath WorkingDirectory
    {
        get => _workingDirectory;
        set => _workingDirectory = value.MakeAbsolute(_workingDirectory);
    }

    public DirectoryPath UserHomeDirectory => _cake.UserHomeDirectory;

    public DirectoryPath ApplicationRoot => _cake.ApplicationRoot;

    public ICakePlatform Platform => _cake.Platform;

    public ICakeRuntime Runtime => _cake.Runtime;

    public DirectoryPath GetSpecialPath(SpecialPath path) => _cake.GetSpecialPath(path);

    public string GetEnvironmentVariable(string variable) => _cake.GetEnvironmentVariable(variable);

    public IDictionary<string, string> GetEnvironmentVariables() => _cake.GetEnvironmentVariables();
}
