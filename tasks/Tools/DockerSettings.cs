using Cake.Core.Tooling;

namespace TwisterLab.Cake.Tools;

/// <summary>How the docker CLI is reached: the binary (ToolPath, else PATH) and, optionally, which engine (--host).</summary>
public sealed class DockerSettings : ToolSettings
{
    /// <summary>docker --host, e.g. ssh://user@compose-host; null keeps the CLI's own choice (DOCKER_HOST, the context).</summary>
    public string? Host { get; set; }

    /// <summary>The exec's secret variables, set in the docker CLI's environment, where <c>--env NAME</c> copies them from.</summary>
    public DockerSettings PassSecrets(DockerExec exec)
    {
        EnvironmentVariables ??= new Dictionary<string, string>();
        foreach (var (name, value) in exec.SecretEnvironment) EnvironmentVariables[name] = value;
        return this;
    }
}

/// <summary>One docker exec: the container, the command, and environment variables for it (secret ones masked in logs).</summary>
public sealed record DockerExec(string Container, IReadOnlyList<string> Command)
{
    /// <summary>Keep stdin open (docker exec -i): the command reads a file piped in.</summary>
    public bool Interactive { get; init; }

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Variables whose values are secrets (a PGPASSWORD): on the command line by name only (<c>--env PGPASSWORD</c>), the
    /// value through the CLI's environment (<see cref="DockerSettings.PassSecrets"/>).
    /// </summary>
    public IReadOnlyDictionary<string, string> SecretEnvironment { get; init; } = new Dictionary<string, string>();
}

/// <summary>A docker compose project: its file (null: the compose file of the working directory, as the guide runs it).</summary>
public sealed record DockerComposeProject(string? File);

/// <summary>What a docker command answered: exit code and its output lines (small outputs only; a dump is streamed).</summary>
public sealed record DockerResult(int ExitCode, IReadOnlyList<string> Output, IReadOnlyList<string> Errors)
{
    public bool Succeeded => ExitCode == 0;

    /// <summary>The error worth showing in one line: docker's last stderr line.</summary>
    public string LastError => Errors.LastOrDefault(line => line.Trim().Length > 0)?.Trim() ?? $"exit code {ExitCode}";
}
