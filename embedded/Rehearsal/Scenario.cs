namespace TwisterLab.Cake.Rehearsal;

/// <summary>How a scenario's run is started.</summary>
public enum ScenarioRun
{
    /// <summary>In this process, through the real host, as a pipeline calls it.</summary>
    InProcess,

    /// <summary>A host process of its own with stdin and stdout redirected (no terminal to ask for confirmation).</summary>
    Process,

    /// <summary>A host process of its own, killed with SIGKILL once the deployment runs the new image.</summary>
    KilledMidRun,
}

/// <summary>
/// One rehearsed procedure: the target with its arguments, the exit code a correct tool gives, and the world it must
/// leave. <see cref="Arrange"/> prepares the world (a fault, a version to judge) before its "before" snapshot.
/// </summary>
public sealed record Scenario(string Name, string Target, IReadOnlyList<string> Arguments, int ExpectedExitCode, WorldExpectation World)
{
    public Func<RehearsalEnvironment, CancellationToken, Task>? Arrange { get; init; }

    public ScenarioRun Run { get; init; } = ScenarioRun.InProcess;

    /// <summary>
    /// Started after the "before" snapshot and stopped when the run ends: judges what the world's users saw meanwhile
    /// (a writer through a database upgrade, the synthetic traffic through a rollout). Its line is printed; its problems
    /// fail the world verdict. It gets the shared world's traffic (null on a world of its own).
    /// </summary>
    public Func<RehearsalEnvironment, SyntheticTraffic?, CancellationToken, Task<IScenarioWatch>>? Watch { get; init; }

    /// <summary>Runs on a world of its own with an empty namespace (a first install), not the shared one.</summary>
    public bool EmptyNamespace { get; init; }
}

public sealed record ScenarioResult(Scenario Scenario, int ExitCode, IReadOnlyList<string> WorldProblems, TimeSpan Duration)
{
    /// <summary>What the scenario's watch printed (null without one).</summary>
    public string? WatchLine { get; init; }

    public bool ExitAsExpected => ExitCode == Scenario.ExpectedExitCode;

    public bool WorldAsExpected => WorldProblems.Count == 0;

    public bool AsExpected => ExitAsExpected && WorldAsExpected;
}
