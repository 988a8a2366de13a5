using System.Text.RegularExpressions;

namespace TwisterLab.Cake.Tests;

/// <summary>
/// The layers of ../shared/DESIGN.md, pinned: every `using` (and every fully qualified TwisterLab.Cake.X name) in
/// tasks/ and embedded/ may point only at its own layer or a lower one. A file's layer is its top folder under tasks/
/// (or embedded/, which keeps the same folders for what runs the simulator). The library (tasks/) never reaches the
/// simulator or the rehearsal world: its package must not depend on them.
/// </summary>
public sealed partial class LayeringTests
{
    /// <summary>
    /// Higher numbers sit higher. DESIGN.md names the first seven folders; the rest are placed here, and why:
    /// Hosting is the Frosting-compatible host on Cake.Core, the framework every layer builds on, so it is the floor and
    /// uses nothing of ours; Progress (meters and their views) sits on the floor too, so every gateway can count on it. Metrics and Probes are gateways (Prometheus / the API's /metrics page, HTTP), beside Cluster,
    /// Data and Tools; the simulator (TwisterLab.KubeSim) sits under Cluster. Rehearsal assembles a world from gateways
    /// (simulator, throwaway PostgreSQL and Redis, the stand-in API) and is used by the Rehearse chain and tests: above the
    /// gateways, below Context (it never knows a run). Lifetime is the run's Setup/Teardown, wired by the host beside the
    /// chains; it calls the compensation runner, so it sits above Steps and Rollback. tasks/TwisterLabHost.cs, the
    /// composition root like build/, is the top. Within one layer files may use each other (Steps record Rollback's
    /// undo records; Cluster/Postgres uses Data; Data runs the Tools).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, int> Layers = new Dictionary<string, int>
    {
        ["Host"] = 6,
        ["Chains"] = 5,
        ["Lifetime"] = 5,
        ["Steps"] = 4,
        ["Rollback"] = 4,
        ["Context"] = 3,
        ["Safety"] = 3,
        ["Rehearsal"] = 2,
        ["Cluster"] = 1,
        ["Data"] = 1,
        ["Tools"] = 1,
        ["Metrics"] = 1,
        ["Probes"] = 1,
        ["KubeSim"] = 1,
        ["Hosting"] = 0,
        ["Progress"] = 0,
    };

    public static readonly string[] Projects = ["tasks", "embedded"];

    [Fact]
    public void Every_using_in_tasks_points_down_the_layers()
    {
        var violations = Projects.SelectMany(project => Arrows(Path.Combine(RepositoryRoot.Path, project)))
            .Where(arrow => Layers[arrow.To] > Layers[arrow.From])
            .Select(arrow => $"{arrow.File}: {arrow.From} ({Layers[arrow.From]}) -> {arrow.To} ({Layers[arrow.To]}) by '{arrow.Line}'")
            .ToList();

        Assert.True(violations.Count == 0, "Arrows against the layers of DESIGN.md:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void Every_folder_of_tasks_has_a_layer()
    {
        var folders = Projects.SelectMany(project => Directory.GetDirectories(Path.Combine(RepositoryRoot.Path, project))).Select(Path.GetFileName)
            .Where(name => name is not ("bin" or "obj")).OfType<string>();
        Assert.Empty(folders.Where(folder => !Layers.ContainsKey(folder)));
    }

    [Fact]
    public void The_library_never_reaches_the_simulator_or_the_rehearsal_world()
    {
        var tasks = Path.Combine(RepositoryRoot.Path, "tasks");
        var reaching = Arrows(tasks).Where(arrow => arrow.To is "KubeSim" or "Rehearsal").Select(arrow => $"{arrow.File}: '{arrow.Line}'");
        Assert.Empty(reaching);
        Assert.False(Directory.Exists(Path.Combine(tasks, "Rehearsal")), "tasks/Rehearsal belongs in embedded/");
        var project = File.ReadAllText(Path.Combine(tasks, "TwisterLab.Cake.csproj"));
        Assert.DoesNotMatch(@"ProjectReference Include=""[^""]*(sim|embedded)/", project);
    }

    [Fact]
    public void The_check_sees_an_arrow_pointing_up()
    {
        var folder = Directory.CreateTempSubdirectory("layering-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, "Cluster"));
            File.WriteAllText(Path.Combine(folder, "Cluster", "Bad.cs"), "using TwisterLab.Cake.Context;\nusing Alias = TwisterLab.Cake.Steps.Preflight;\nnamespace TwisterLab.Cake.Cluster;\nclass Bad { TwisterLab.Cake.Rollback.CompensationRunner? runner; }\n");
            var up = Arrows(folder).Where(arrow => Layers[arrow.To] > Layers[arrow.From]).Select(arrow => arrow.To).ToList();
            Assert.Equal(["Context", "Steps", "Rollback"], up);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed record Arrow(string File, string From, string To, string Line);

    private static IEnumerable<Arrow> Arrows(string tasks)
    {
        foreach (var file in Directory.EnumerateFiles(tasks, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(tasks, file);
            var top = relative.Split(Path.DirectorySeparatorChar)[0];
            if (top is "bin" or "obj")
            {
                continue;
            }

            var from = relative.Contains(Path.DirectorySeparatorChar) ? top : "Host";
            foreach (var line in File.ReadLines(file))
            {
                var code = line.Split("//")[0];
                foreach (Match match in Reference().Matches(code))
                {
                    var to = match.Groups["layer"].Value;
                    if (Layers.ContainsKey(to) && to != from)
                    {
                        yield return new Arrow(relative, from, to, line.Trim());
                    }
                }
            }
        }
    }

    // A using directive (plain, static, alias or global) or any fully qualified name: TwisterLab.Cake.<Layer> or TwisterLab.KubeSim.
    [GeneratedRegex(@"\bTwisterLab\.(?:Cake\.)?(?<layer>[A-Z][A-Za-z]+)\b")]
    private static partial Regex Reference();
}
