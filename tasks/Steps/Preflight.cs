using Microsoft.Extensions.DependencyInjection;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Hosting;
using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake.Steps;

[TaskDescription("Checks before any change (the run's setup has checked every argument and step input): the deployment exists, and the guide's version compatibility matrix against the live versions.")]
public sealed class Preflight(IServiceProvider services) : DeployStep
{
    public override IEnumerable<string> Plan(DeployContext context)
    {
        var cluster = context.Cluster;
        yield return cluster.Nodes.DescribeServerVersion();
        if (InstallsApplication(context))
        {
            yield break;
        }

        yield return context.Kubectl.Namespaced("get", $"deployment/{context.Deployment}").ToString();
        foreach (var (component, deployment, command) in VersionProbes(context))
        {
            yield return $"{cluster.Pods.DescribeExec(new Cluster.ExecRequest(deployment, command))}   # {component} version";
        }
    }

    protected override async Task ExecuteAsync(DeployContext context)
    {
        var cluster = context.Cluster;
        var server = await cluster.Nodes.ServerVersionAsync(context.CancellationToken);
        var findings = new List<VersionFinding> { VersionMatrix.Check("Kubernetes", server.GitVersion) };
        if (!InstallsApplication(context))
        {
            await cluster.Deployments.GetAsync(context.Deployment, context.CancellationToken);
            foreach (var (component, deployment, command) in VersionProbes(context))
            {
                findings.Add(VersionMatrix.Check(component, await VersionFromPodAsync(context, deployment, command)));
            }
        }

        context.Log.Information("Version compatibility matrix:\n{0}", VersionMatrix.Render(findings));
        foreach (var warning in findings.Where(finding => finding.Verdict is VersionVerdict.BelowRecommended or VersionVerdict.Unknown))
        {
            var line = $"{warning.Requirement.Component} {warning.Found ?? "(not found)"}: " +
                       (warning.Verdict == VersionVerdict.Unknown ? "version unknown" : $"below the recommended {warning.Requirement.Recommended}");
            context.Log.Warning("{0}", line);
            CiPipeline.Warning(context, "Version matrix: " + line);
        }

        if (findings.Where(finding => finding.Verdict == VersionVerdict.BelowMinimum).ToList() is { Count: > 0 } blocking)
        {
            throw new InvalidOperationException("Below the guide's minimum: " +
                string.Join(", ", blocking.Select(finding => $"{finding.Requirement.Component} {finding.Found} < {finding.Requirement.Minimum}")) + ". Upgrade those first.");
        }
    }

    private IEnumerable<IFrostingTask> StepsToRun(DeployContext context) =>
        context.TasksToRun
            .Select(name => services.GetServices<IFrostingTask>().FirstOrDefault(task => TaskCatalog.NameOf(task.GetType()) == name))
            .OfType<IFrostingTask>();

    /// <summary>The run installs the application (Compose -> Kubernetes): no deployment or pods to ask yet.</summary>
    private bool InstallsApplication(DeployContext context) => StepsToRun(context).OfType<IInstallsApplication>().Any();

    /// <summary>How each component tells its version, from inside its own pod (the way the guide reaches them).</summary>
    private static IEnumerable<(string Component, string Deployment, IReadOnlyList<string> Command)> VersionProbes(DeployContext context)
    {
        var profile = context.Settings.Profile;
        yield return ("PostgreSQL", profile.PostgresDeployment, ["psql", "-tAc", "show server_version"]);
        yield return ("Redis", profile.RedisDeployment, ["redis-cli", "INFO", "server"]);
        yield return ("Python", context.Deployment, ["python", "--version"]);
    }

    private static async Task<string?> VersionFromPodAsync(DeployContext context, string deployment, IReadOnlyList<string> command)
    {
        var result = await context.Cluster.Pods.ExecAsync(new Cluster.ExecRequest(deployment, command), context.CancellationToken);
        var output = result.Stdout + result.Stderr;
        // redis-cli INFO prints many lines; its version is on redis_version.
        var line = output.Split('\n').FirstOrDefault(text => text.StartsWith("redis_version:", StringComparison.Ordinal)) ?? output;
        return result.ExitCode == 0 ? line.Trim() : null;
    }
}
