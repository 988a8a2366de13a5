using System.Diagnostics;
using System.Text.RegularExpressions;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Rehearsal;

namespace TwisterLab.Cake.Tests.Pipelines;

/// <summary>
/// examples/pipelines/*.yml, run as the CI systems would run them: every ./build.sh line of every job, in job order,
/// through the real build.sh, with the environment its workflow, job and step give it, the CI variables set (a fake
/// $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY, or GITLAB_CI with its dotenv report) and one embedded world behind them all
/// (the arguments --cluster=embedded would add, for what the pipeline does not give itself). Meanwhile every process's
/// /proc/&lt;pid&gt;/cmdline is read, over and over: the database password must never show on one.
/// </summary>
[Collection(HostCollection.Name)]
public sealed partial class PipelineExampleTests : IDisposable
{
    private readonly string _working = Directory.CreateTempSubdirectory("twisterlab-pipelines-").FullName;

    public PipelineExampleTests()
    {
        foreach (var folder in new[] { "k8s", "rehearsal", "environments" })
        {
            Directory.CreateSymbolicLink(Path.Combine(_working, folder), Path.Combine(RepositoryRoot.Path, folder));
        }
    }

    [Fact]
    public async Task Both_example_pipelines_plan_upgrade_and_roll_back_on_the_embedded_cluster_with_no_secret_on_any_command_line()
    {
        await using var world = await RehearsalEnvironment.StartAsync(new RehearsalOptions(_working) { DeployVersionOne = true });
        using var watch = new ArgvWatch(world.Database.Password!);

        var github = await RunGitHubAsync(world, watch);
        Assert.Equal(["plan", "upgrade", "rollback"], github.Keys);
        AssertPlan(github["plan"], github["plan"].Summary);
        AssertUpgraded(github["upgrade"], github["upgrade"].Outputs);
        Assert.Contains("::add-mask::" + world.Database.Password, github["upgrade"].Stdout);
        Assert.Contains(github["upgrade"].Outputs["run-id"], github["upgrade"].Summary);
        AssertRolledBack(github["rollback"], github["rollback"].Outputs, github["upgrade"].Outputs["run-id"]);
        foreach (var run in github.Values)
        {
            AssertGroupsNotNested(run.Stdout);
        }

        var gitlab = await RunGitLabAsync(world, watch);
        Assert.Equal(["plan", "upgrade", "rollback"], gitlab.Keys);
        AssertPlan(gitlab["plan"], summary: null);
        AssertUpgraded(gitlab["upgrade"], Dotenv(gitlab["upgrade"].Outputs));
        Assert.Matches(@"\u001b\[0Ksection_start:\d+:twisterlab_backupdatabase\[collapsed=true\]\r\u001b\[0KBackupDatabase", gitlab["upgrade"].Stdout);
        Assert.Matches(@"\u001b\[0Ksection_end:\d+:twisterlab_backupdatabase\r\u001b\[0K", gitlab["upgrade"].Stdout);
        // The rollback job gets the upgrade's run id from the dotenv report. It is not run a second time on this world:
        // a second rollout undo + alembic downgrade in the simulator met a pod that was gone (exec 404) in one run of
        // this test; the GitHub sequence runs the same command and asserts the rollback.
        Assert.Equal(["--target=Rollback", $"--run={Dotenv(gitlab["upgrade"].Outputs)["run-id"]}", "--confirm"], gitlab["rollback"].Arguments);

        Assert.Empty(watch.Leaks);
        // The watch saw the tools while they ran (else an empty Leaks would prove nothing).
        Assert.Superset(new HashSet<string> { "pg_dump", "pg_restore" }, watch.Children);
        // The artifacts the pipelines keep hold no key of the journals' sealed values.
        Assert.Empty(new[] { ".twisterlab/runs", "backups" }.Select(folder => Path.Combine(_working, folder)).Where(Directory.Exists)
            .SelectMany(folder => Directory.GetFiles(folder, "*.key", SearchOption.AllDirectories)));
    }

    [Fact]
    public async Task A_plan_without_the_image_tag_is_refused_with_an_annotation_and_the_outputs_say_so()
    {
        var run = await RunAsync(["--target=RollingUpgrade", "--dryrun"], GitHubVariables(), world: null, watch: null);

        Assert.Equal(ExitCodes.BadInput, run.ExitCode);
        Assert.Contains(run.Stdout.Split('\n'), line => line.StartsWith("::error ", StringComparison.Ordinal) && line.Contains("rejected (exit 2)") && line.Contains("--image-tag"));
        Assert.Contains("--image-tag", run.Stderr);
        Assert.Equal("rejected", run.Outputs["outcome"]);
        Assert.Equal("2", run.Outputs["exit-code"]);
        Assert.False(Directory.Exists(Path.Combine(_working, ".twisterlab")));
    }

    private static void AssertPlan(Run plan, string? summary)
    {
        Assert.True(plan.ExitCode == ExitCodes.Success, plan.Stderr);
        Assert.Contains("kubectl set image deployment/twisterlab-api twisterlab-api=twisterlab-api:v2.0", plan.Stdout);
        if (summary is not null)
        {
            Assert.Contains("### Plan for RollingUpgrade", summary);
            Assert.Contains("kubectl set image deployment/twisterlab-api twisterlab-api=twisterlab-api:v2.0", summary);
            Assert.Equal("planned", plan.Outputs["outcome"]);
        }
    }

    private static void AssertUpgraded(Run upgrade, IReadOnlyDictionary<string, string> outputs)
    {
        Assert.True(upgrade.ExitCode == ExitCodes.Success, upgrade.Stdout[^Math.Min(3000, upgrade.Stdout.Length)..] + upgrade.Stderr);
        Assert.Matches(RunIdPattern(), outputs["run-id"]);
        Assert.Equal("succeeded", outputs["outcome"]);
        Assert.Equal("0", outputs["exit-code"]);
        Assert.True(File.Exists(outputs["report"]), outputs["report"]);
        Assert.Matches("^[0-9a-f-]{36}$", outputs["cluster"]);
    }

    private static void AssertRolledBack(Run rollback, IReadOnlyDictionary<string, string> outputs, string upgradeRun)
    {
        Assert.True(rollback.ExitCode == ExitCodes.Success, rollback.Stdout[^Math.Min(3000, rollback.Stdout.Length)..] + rollback.Stderr);
        Assert.Contains($"Undoing run {upgradeRun}", rollback.Stdout);
        Assert.Equal("succeeded", outputs["outcome"]);
    }

    /// <summary>Each ::group:: closes before the next opens: GitHub does not nest groups.</summary>
    private static void AssertGroupsNotNested(string stdout)
    {
        var open = false;
        foreach (var line in stdout.Split('\n').Select(line => line.TrimEnd('\r')))
        {
            if (line.StartsWith("::group::", StringComparison.Ordinal))
            {
                Assert.False(open, "a group opened inside another");
                open = true;
            }
            else if (line == "::endgroup::")
            {
                open = false;
            }
        }
    }

    private async Task<Dictionary<string, Run>> RunGitHubAsync(RehearsalEnvironment world, ArgvWatch watch)
    {
        var runnerTemp = Directory.CreateDirectory(Path.Combine(_working, "runner-temp")).FullName;
        var jobOutputs = new Dictionary<string, Dictionary<string, string>>();
        string Expression(string expression) => expression.Split('.') switch
        {
            ["inputs", "image-tag"] => "v2.0",
            ["secrets", "DATABASE_URL"] => world.Database.ConnectionString,
            ["runner", "temp"] => runnerTemp,
            ["needs", var job, "outputs", var name] => jobOutputs[job][name],
            _ => throw new InvalidOperationException($"the test does not know ${{{{ {expression} }}}}: add it here"),
        };

        var runs = new Dictionary<string, Run>();
        foreach (var job in PipelineFile.Read(Path.Combine(RepositoryRoot.Path, "examples", "pipelines", "github-actions.yml")))
        {
            var steps = new Dictionary<string, Run>();
            foreach (var command in job.Commands)
            {
                var environment = command.Environment.ToDictionary(pair => pair.Key, pair => PipelineFile.Resolve(pair.Value, Expression));
                foreach (var (name, value) in GitHubVariables()) environment[name] = value;
                var run = await RunAsync(PipelineFile.Arguments(command.Line, Expression, environment), environment, world, watch);
                steps[command.StepId ?? job.Name] = run;
                runs[job.Name] = run;
            }

            jobOutputs[job.Name] = job.Outputs.ToDictionary(pair => pair.Key, pair => PipelineFile.Resolve(pair.Value, expression =>
                expression.Split('.') is ["steps", var step, "outputs", var name] ? steps[step].Outputs[name] : Expression(expression)));
        }

        return runs;
    }

    private async Task<Dictionary<string, Run>> RunGitLabAsync(RehearsalEnvironment world, ArgvWatch watch)
    {
        var dotenv = new Dictionary<string, string>();
        var runs = new Dictionary<string, Run>();
        foreach (var job in PipelineFile.Read(Path.Combine(RepositoryRoot.Path, "examples", "pipelines", "gitlab-ci.yml")))
        {
            foreach (var command in job.Commands)
            {
                // The project's masked CI/CD variable, and what earlier jobs' dotenv reports hand on.
                var environment = new Dictionary<string, string>(command.Environment) { ["TWISTERLAB_DATABASE_URL"] = world.Database.ConnectionString, ["GITLAB_CI"] = "true" };
                foreach (var (name, value) in dotenv) environment[name] = value;
                var arguments = PipelineFile.Arguments(command.Line, _ => throw new InvalidOperationException("GitLab has no ${{ }}"), environment);
                var run = job.Name == "rollback" ? new Run(-1, "", "", [], "") { Arguments = arguments } : await RunAsync(arguments, environment, world, watch);
                runs[job.Name] = run;
                foreach (var (name, value) in run.Outputs) dotenv[name] = value;
            }
        }

        return runs;
    }

    private Dictionary<string, string> GitHubVariables() => new()
    {
        ["GITHUB_ACTIONS"] = "true",
        ["GITHUB_OUTPUT"] = Path.Combine(_working, $"github-output-{Guid.NewGuid():N}"),
        ["GITHUB_STEP_SUMMARY"] = Path.Combine(_working, $"github-summary-{Guid.NewGuid():N}"),
    };

    /// <summary>
    /// ./build.sh with the pipeline's arguments, plus the world's for what the pipeline gives neither on the line nor
    /// through TWISTERLAB_*. Returns the exit code, the output, and what the run wrote for the CI system.
    /// </summary>
    private async Task<Run> RunAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> pipelineEnvironment, RehearsalEnvironment? world, ArgvWatch? watch)
    {
        var start = new ProcessStartInfo(Path.Combine(RepositoryRoot.Path, "build.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        var given = arguments.Select(HostArguments.Name).OfType<string>()
            .Concat(DeployArguments.Common.Select(spec => spec.Name).Where(name => pipelineEnvironment.ContainsKey(ArgumentSources.EnvironmentName(name))))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        IEnumerable<string> worldArguments = world?.Arguments ?? [];
        var secrets = DeployArguments.Common.Where(spec => spec.Secret).Select(spec => spec.Name).ToHashSet();
        var added = worldArguments.Where(argument => HostArguments.Name(argument) is { } name && !given.Contains(name)).ToList();
        // The world's own secrets go where a pipeline puts them, in the environment: this harness must not leak either.
        foreach (var argument in arguments.Concat(added.Where(argument => !secrets.Contains(HostArguments.Name(argument)!))))
        {
            start.ArgumentList.Add(argument);
        }

        var environment = new Dictionary<string, string>(pipelineEnvironment);
        foreach (var argument in added.Where(argument => secrets.Contains(HostArguments.Name(argument)!)))
        {
            environment[ArgumentSources.EnvironmentName(HostArguments.Name(argument)!)] = argument.Split('=', 2)[1];
        }

        start.ArgumentList.Add($"--working={_working}");
        foreach (var name in start.Environment.Keys.Where(name => name.StartsWith("TWISTERLAB_", StringComparison.Ordinal) || name.StartsWith("GITHUB_", StringComparison.Ordinal) || name == "GITLAB_CI").ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.Environment["XDG_STATE_HOME"] = Path.Combine(_working, "state");
        using var process = Process.Start(start)!;
        watch?.WatchChildrenOf(process.Id);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(10));
        var outputs = environment.TryGetValue("GITHUB_OUTPUT", out var outputFile) ? KeyValues(outputFile)
            : environment.ContainsKey("GITLAB_CI") ? KeyValues(Path.Combine(_working, CiPipeline.DefaultDotenv))
            : [];
        var summary = environment.TryGetValue("GITHUB_STEP_SUMMARY", out var summaryFile) && File.Exists(summaryFile) ? File.ReadAllText(summaryFile) : "";
        return new Run(process.ExitCode, await stdout, await stderr, outputs, summary);
    }

    private static Dictionary<string, string> KeyValues(string path) =>
        File.Exists(path)
            ? File.ReadAllLines(path).Where(line => line.Contains('=')).Select(line => line.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair[1])
            : [];

    /// <summary>GitLab's dotenv names back to the outputs' names (TWISTERLAB_RUN_ID → run-id, TWISTERLAB_CLUSTER_ID → cluster).</summary>
    private static Dictionary<string, string> Dotenv(IReadOnlyDictionary<string, string> dotenv) =>
        CiPipeline.OutputNames.ToDictionary(name => name, name => dotenv[CiPipeline.DotenvName(name)]);

    private sealed record Run(int ExitCode, string Stdout, string Stderr, Dictionary<string, string> Outputs, string Summary)
    {
        /// <summary>The arguments the pipeline line gave (for a job this test does not run).</summary>
        public IReadOnlyList<string> Arguments { get; init; } = [];
    }

    [GeneratedRegex("^[0-9]{8}-[0-9]{9}-[a-z0-9]{4}$")]
    private static partial Regex RunIdPattern();

    public void Dispose() => Directory.Delete(_working, recursive: true);
}
