using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Context;

/// <summary>How a run ended, in the words a pipeline and an operator need.</summary>
public enum RunOutcome
{
    Succeeded,
    Planned,

    /// <summary>Refused before changing anything (bad input, production not confirmed).</summary>
    Rejected,

    /// <summary>Failed before changing anything: there was nothing to undo.</summary>
    Failed,
    RolledBack,
    FailedWithoutRollback,
    RollbackFailed,
    Held,
    Degraded,
}

public static class RunOutcomeExitCodes
{
    public static int ExitCode(this RunOutcome outcome) => outcome switch
    {
        RunOutcome.Succeeded or RunOutcome.Planned => ExitCodes.Success,
        RunOutcome.Rejected => ExitCodes.BadInput,
        RunOutcome.Held => ExitCodes.Held,
        RunOutcome.Degraded => ExitCodes.Degraded,
        RunOutcome.RollbackFailed => ExitCodes.RollbackFailed,
        _ => ExitCodes.Failed,
    };
}
