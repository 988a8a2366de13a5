using Cake.Core;
using Cake.Core.Configuration;
using Cake.Core.Diagnostics;
using Cake.Core.IO;
using Cake.Core.Tooling;

namespace TwisterLab.Cake.Tools;

/// <summary>
/// Cake's real file system, environment, process runner and tool locator, for running the tool wrappers outside a
/// Cake host (data gateways, tests, benchmarks). Inside a Cake step use the context's own instances instead.
/// </summary>
public sealed class CakeTools
{
    public CakeTools(ICakeLog? log = null)
    {
        log ??= new NullLog();
        FileSystem = new FileSystem();
        Environment = new CakeEnvironment(new CakePlatform(), new CakeRuntime());
        var configuration = new CakeConfiguration(new Dictionary<string, string>());
        var globber = new Globber(FileSystem, Environment);
        Locator = new ToolLocator(Environment, new ToolRepository(Environment), new ToolResolutionStrategy(FileSystem, Environment, globber, configuration, log));
        ProcessRunner = new ProcessRunner(FileSystem, Environment, log, Locator, configuration);
    }

    public IFileSystem FileSystem { get; }
    public ICakeEnvironment Environment { get; }
    public IProcessRunner ProcessRunner { get; }
    public IToolLocator Locator { get; }

    public PgDumpRunner PgDump() => new(FileSystem, Environment, ProcessRunner, Locator);
    public PgRestoreRunner PgRestore() => new(FileSystem, Environment, ProcessRunner, Locator);
    public PsqlRunner Psql() => new(FileSystem, Environment, ProcessRunner, Locator);
    public DockerRunner Docker() => new(FileSystem, Environment, ProcessRunner, Locator);
}
