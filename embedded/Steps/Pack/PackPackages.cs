using System.IO.Compression;
using System.Xml.Linq;
using Cake.Common.Tools.DotNet;
using Cake.Common.Tools.DotNet.Pack;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Steps.Pack;

[TaskDescription("dotnet pack (Release) of the library (tasks/) and of the tool (build/, PackAsTool, command twisterlab) into artifacts/packages/.")]
public sealed class PackPackages : FrostingTask<DeployContext>
{
    public const string Output = "artifacts/packages";

    /// <summary>
    /// The Cake assemblies the library compiles against. Here they come from Cake.Tool's folder (our feed serves no
    /// Cake.Core package), so NuGet cannot see them: the library's nuspec gets them as published on nuget.org.
    /// </summary>
    public static readonly string[] CakeDependencies = ["Cake.Core", "Cake.Common", "Cake.Cli"];

    public const string CakeVersion = "7.0.0";

    public override void Run(DeployContext context)
    {
        var output = context.Environment.WorkingDirectory.Combine(Output);
        foreach (var project in new[] { "tasks/TwisterLab.Cake.csproj", "build/Build.csproj" })
        {
            context.DotNetPack(project, new DotNetPackSettings { Configuration = "Release", OutputDirectory = output, NoLogo = true });
        }

        var library = Directory.GetFiles(output.FullPath, "TwisterLab.Cake.*.nupkg")
            .Where(path => !Path.GetFileName(path).StartsWith("TwisterLab.Cake.Tool.", StringComparison.Ordinal))
            .OrderByDescending(File.GetLastWriteTimeUtc)
            .First();
        AddCakeDependencies(library);
        context.Log.Information("Packages: {0}", string.Join(", ", Directory.GetFiles(output.FullPath, "*.nupkg").Select(Path.GetFileName).Order()));
    }

    /// <summary>Adds Cake.Core/Common/Cli [7.0.0] to every dependency group of the package's nuspec (idempotent).</summary>
    public static void AddCakeDependencies(string package)
    {
        using var archive = ZipFile.Open(package, ZipArchiveMode.Update);
        var entry = archive.Entries.Single(candidate => !candidate.FullName.Contains('/') && candidate.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        XDocument nuspec;
        using (var read = entry.Open())
        {
            nuspec = XDocument.Load(read);
        }

        var ns = nuspec.Root!.Name.Namespace;
        foreach (var group in nuspec.Descendants(ns + "group"))
        {
            foreach (var id in CakeDependencies.Where(id => !group.Elements(ns + "dependency").Any(dependency => (string?)dependency.Attribute("id") == id)))
            {
                group.Add(new XElement(ns + "dependency", new XAttribute("id", id), new XAttribute("version", CakeVersion), new XAttribute("exclude", "Build,Analyzers")));
            }
        }

        entry.Delete();
        using var write = archive.CreateEntry(entry.FullName).Open();
        nuspec.Save(write);
    }
}
