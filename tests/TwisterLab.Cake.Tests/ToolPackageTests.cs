using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Tests;

/// <summary>
/// The Pack target as a release engineer uses it: one pack, one `dotnet tool install` from artifacts/packages into a
/// folder of its own, then `twisterlab` in empty folders outside the repository. And the library package: Cake
/// dependencies as on nuget.org, no simulator, a real description, license and readme.
/// </summary>
[Collection(HostCollection.Name)]
public sealed class ToolPackageTests : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("twisterlab-tool-").FullName;

    [Fact]
    public async Task Pack_installs_as_a_tool_that_plans_in_an_empty_folder_and_the_library_carries_no_simulator()
    {
        var packages = Path.Combine(RepositoryRoot.Path, "artifacts", "packages");
        foreach (var old in Directory.Exists(packages) ? Directory.GetFiles(packages, "*.nupkg") : [])
        {
            File.Delete(old);
        }

        Assert.Equal(ExitCodes.Success, TwisterLabHost.Run(["--target=Pack", $"--working={RepositoryRoot.Path}"]));
        var tool = Assert.Single(Directory.GetFiles(packages, "TwisterLab.Cake.Tool.*.nupkg"));
        var version = Path.GetFileNameWithoutExtension(tool)["TwisterLab.Cake.Tool.".Length..];
        var library = Path.Combine(packages, $"TwisterLab.Cake.{version}.nupkg");

        AssertLibraryPackage(library, version);

        // A packages folder of its own: a package of the same version cached by an earlier pack is never installed instead.
        var toolPath = Path.Combine(_scratch, "tool");
        var (installed, installOutput) = await RunAsync("dotnet", _scratch, ["tool", "install", "--tool-path", toolPath, "--add-source", packages, "TwisterLab.Cake.Tool", "--version", version],
            ("NUGET_PACKAGES", Path.Combine(_scratch, "nuget")));
        Assert.True(installed == 0, installOutput);
        var twisterlab = Path.Combine(toolPath, "twisterlab");

        var empty = Directory.CreateDirectory(Path.Combine(_scratch, "empty")).FullName;
        var (exitCode, output) = await RunAsync(twisterlab, empty, ["--version"]);
        Assert.Equal((0, version), (exitCode, output.Trim()));

        (exitCode, output) = await RunAsync(twisterlab, empty, ["--target=RollingUpgrade", "--image-tag=v2.0", "--dryrun", "--cluster=embedded", "--environment=rehearsal"]);
        Assert.True(exitCode == ExitCodes.Success, output);
        Assert.Contains("kubectl set image deployment/twisterlab-api twisterlab-api=twisterlab-api:v2.0 -n twisterlab", output);

        // The working directory's own profiles win over the tool's.
        var own = Directory.CreateDirectory(Path.Combine(_scratch, "own", "environments")).Parent!.FullName;
        File.WriteAllText(Path.Combine(own, "environments", "rehearsal.json"), """{ "namespace": "ours" }""");
        (exitCode, output) = await RunAsync(twisterlab, own, ["--target=RollingUpgrade", "--image-tag=v2.0", "--dryrun", "--environment=rehearsal"]);
        Assert.True(exitCode == ExitCodes.Success, output);
        Assert.Contains("twisterlab-api=twisterlab-api:v2.0 -n ours", output);
    }

    private static void AssertLibraryPackage(string package, string version)
    {
        using var archive = ZipFile.OpenRead(package);
        var files = archive.Entries.Select(entry => entry.FullName).Where(name => !name.StartsWith("package/", StringComparison.Ordinal) && !name.StartsWith("_rels/", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["README.md", "TwisterLab.Cake.nuspec", "[Content_Types].xml", "lib/net10.0/TwisterLab.Cake.dll"], files);

        using var nuspecStream = archive.GetEntry("TwisterLab.Cake.nuspec")!.Open();
        var metadata = XDocument.Load(nuspecStream).Root!.Elements().Single(element => element.Name.LocalName == "metadata");
        string? Field(string name) => metadata.Elements().SingleOrDefault(element => element.Name.LocalName == name)?.Value;
        Assert.Equal(version, Field("version"));
        Assert.Equal("MIT", Field("license"));
        Assert.Equal("README.md", Field("readme"));
        Assert.StartsWith("Cake (Frosting-style) tasks and chains", Field("description"));
        var dependencies = metadata.Descendants().Where(element => element.Name.LocalName == "dependency")
            .ToDictionary(element => element.Attribute("id")!.Value, element => element.Attribute("version")!.Value);
        Assert.Equal("7.0.0", dependencies["Cake.Core"]);
        Assert.Equal("7.0.0", dependencies["Cake.Common"]);
        Assert.DoesNotContain(dependencies.Keys, id => id.Contains("KubeSim") || id.Contains("Embedded"));

        // The packed dll is this library: no Test, Rehearse or Sandbox target in it.
        Assert.DoesNotContain(typeof(DeployContext).Assembly.GetExportedTypes(), type => type.Name is "Test" or "Rehearse" or "SandboxUp" or "Pack");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string workingDirectory, string[] arguments, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(5));
        return (process.ExitCode, await output + await error);
    }

    public void Dispose() => Directory.Delete(_scratch, recursive: true);
}
