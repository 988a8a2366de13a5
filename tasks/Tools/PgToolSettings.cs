using Cake.Core.Tooling;
using TwisterLab.Cake.Data;

namespace TwisterLab.Cake.Tools;

/// <summary>Connection settings every libpq tool shares. The password never reaches the command line: it goes in PGPASSWORD.</summary>
public abstract class PgToolSettings : ToolSettings
{
    public string? Host { get; set; }
    public int? Port { get; set; }
    public string? Username { get; set; }
    public string? Password { get; set; }
    public string? Database { get; set; }

    /// <summary>Copies host, port, user, password and database from a parsed target.</summary>
    public void ConnectTo(PostgresTarget target)
    {
        Host = target.Host;
        Port = target.Port;
        Username = target.Username;
        Password = target.Password;
        Database = target.Database;
    }

    /// <summary>PGPASSWORD plus any variables the caller set; what the tool process gets on top of the inherited environment.</summary>
    public IDictionary<string, string> ToolEnvironment()
    {
        var environment = new Dictionary<string, string>(EnvironmentVariables ?? new Dictionary<string, string>());
        if (!string.IsNullOrEmpty(Password)) environment["PGPASSWORD"] = Password;
        AddSecretVariables(environment);

        return environment;
    }

    /// <summary>Other secrets a tool reads from its environment rather than its command line.</summary>
    protected virtual void AddSecretVariables(IDictionary<string, string> environment)
    {
    }
}
