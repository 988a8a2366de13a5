namespace TwisterLab.Cake.Rehearsal;

/// <summary>
/// Where rehearsal-only files go (generated inputs, the sandbox's state, kubectl's cache), kept apart from real runs
/// and backups: one place, so moving them is a change here.
/// </summary>
public static class RehearsalPaths
{
    public static string Root(string workingDirectory) => Path.Combine(workingDirectory, ".twisterlab", "rehearsal");

    /// <summary>Inputs the embedded world generates for a chain (e.g. the SQLite file of MigrateSqliteToPostgres).</summary>
    public static string Inputs(string workingDirectory) => Directory.CreateDirectory(Path.Combine(Root(workingDirectory), "inputs")).FullName;

    /// <summary>The running sandbox: its PIDs, kubeconfig and the 0600 file of full database/Redis URLs.</summary>
    public static string Sandbox(string workingDirectory) => Path.Combine(Root(workingDirectory), "sandbox");

    /// <summary>The backups of one rehearsal (FullRollback restores the newest of them, never a real one).</summary>
    public static string Backups(string workingDirectory, string rehearsalId) => Path.Combine(Root(workingDirectory), "backups", rehearsalId);

    /// <summary>What the last rehearsal's runs asked of the cluster, one distinct call a line (the in-cluster Role is checked against it).</summary>
    public static string ApiCalls(string workingDirectory) => Path.Combine(Root(workingDirectory), "api-calls.tsv");

    public static string KubectlCache(string workingDirectory) => Path.Combine(Root(workingDirectory), "kubectl-cache");
}
