namespace TwisterLab.Cake.Tools;

/// <summary>psql running a plain SQL file (the guide's <c>psql … &lt; export.sql</c>) or one command.</summary>
public sealed class PsqlSettings : PgToolSettings
{
    public string? File { get; set; }
    public string? Command { get; set; }

    /// <summary>Stop at the first error (ON_ERROR_STOP=1); without it psql reports success after failed statements.</summary>
    public bool StopOnError { get; set; } = true;

    public bool SingleTransaction { get; set; } = true;

    /// <summary><c>-v name=value</c> variables for the script.</summary>
    public IDictionary<string, string> Variables { get; } = new Dictionary<string, string>();

    /// <summary>Variables whose values are secrets (e.g. a role password the script sets): masked in logs.</summary>
    public IDictionary<string, string> SecretVariables { get; } = new Dictionary<string, string>();
}
