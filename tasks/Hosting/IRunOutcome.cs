namespace TwisterLab.Cake.Hosting;

/// <summary>
/// Lets the context decide the exit code of a finished run (e.g. "held" or "degraded" are not plain failures).
/// Registered optionally; without it the exit code is 0 on success and <see cref="ExitCodes.Failed"/> otherwise.
/// </summary>
public interface IRunOutcome
{
    int ExitCode(bool engineSucceeded);
}
