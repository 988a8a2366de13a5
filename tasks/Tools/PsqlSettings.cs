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

    /// <summary>
    /// Variables whose values are secrets (e.g. a role password the script sets): never on the command line. Each goes
    /// into psql's environment as TWISTERLAB_PSQL_&lt;name&gt; and is read with <c>\getenv</c> (psql 15+) before the script.
    /// </summary>
    public IDictionary<string, string> SecretVariables { get; } = new Dictionary<string, string>();

    public const string SecretVariablePrefix = "TWISTERLAB_PSQL_";

    protected override void AddSecretVariables(IDictionary<string, string> environment)
    {
        foreach (var (name, value) in SecretVariables) environment[SecretVariablePrefix + name] = value;
    }
}
