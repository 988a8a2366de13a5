namespace TwisterLab.Cake.Hosting;

/// <summary>What a pipeline can branch on. Anything but 0 means "not the new healthy version".</summary>
public static class ExitCodes
{
    public const int Success = 0;

    /// <summary>A step failed; the run rolled back (see the report for what was undone).</summary>
    public const int Failed = 1;

    /// <summary>Bad input (unknown target, argument or profile): nothing was started.</summary>
    public const int BadInput = 2;

    /// <summary>The run stopped and held its journal instead of undoing (e.g. a migration that cannot be reversed).</summary>
    public const int Held = 3;

    /// <summary>The new version runs but is degraded; the rollback journal is kept ready.</summary>
    public const int Degraded = 4;

    /// <summary>A step failed and the rollback did not complete: the world may be half changed. Read the report.</summary>
    public const int RollbackFailed = 5;
}
