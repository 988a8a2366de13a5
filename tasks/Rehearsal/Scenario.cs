namespace TwisterLab.Cake.Rehearsal;

/// <summary>One rehearsed procedure: the target with its arguments, and the exit code a correct tool gives.</summary>
public sealed record Scenario(string Name, string Target, IReadOnlyList<string> Arguments, int ExpectedExitCode, Action<RehearsalEnvironment>? Arrange = null);

public sealed record ScenarioResult(Scenario Scenario, int ExitCode, TimeSpan Duration)
{
    public bool AsExpected => ExitCode == Scenario.ExpectedExitCode;
}
