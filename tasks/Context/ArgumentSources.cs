using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Context;

/// <summary>
/// Where an argument's value may come from besides the command line, so that a pipeline never has to put a secret on
/// one: <c>TWISTERLAB_SOME_NAME</c> for <c>--some-name</c>, and for a secret argument a file
/// (<c>--database-url-file=path</c>, <c>TWISTERLAB_DATABASE_URL_FILE</c>). Resolved once, before the host starts, into
/// ordinary <c>--name=value</c> arguments in this process's memory (never onto another process's command line), which
/// the host then checks like any other.
/// </summary>
public static class ArgumentSources
{
    public const string EnvironmentPrefix = "TWISTERLAB_";
    public const string FileSuffix = "-file";

    /// <summary>The order in which a value is looked for; the first one found wins (help and README print it).</summary>
    public static IReadOnlyList<string> Precedence { get; } =
    [
        "--some-name=value on the command line",
        "--some-name-file=path on the command line (secret arguments only: database URLs, Redis URLs)",
        "TWISTERLAB_SOME_NAME in the environment",
        "TWISTERLAB_SOME_NAME_FILE in the environment (secret arguments only)",
        "the environment profile (environments/<name>.json), then the built-in default",
    ];

    public static string EnvironmentName(string argument) => EnvironmentPrefix + argument.Replace('-', '_').ToUpperInvariant();

    /// <summary>
    /// The command line with every argument it does not give filled in from a file or the environment, and every
    /// <c>--x-file</c> replaced by <c>--x=&lt;its content&gt;</c>. Host options (<c>--target</c>, <c>--dryrun</c>, ...)
    /// come only from the command line. Bad input (an unreadable file, a value given twice on one level) throws
    /// <see cref="BadInputException"/>.
    /// </summary>
    public static string[] Resolve(IReadOnlyList<string> commandLine, IReadOnlyList<ArgumentSpec> known, Func<string, string?> environment)
    {
        var result = new List<string>();
        var given = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var fromFiles = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var argument in commandLine)
        {
            if (FileArgument(argument, known) is { } fileOf)
            {
                fromFiles[fileOf.Name] = argument.Split('=', 2) is [_, var path] ? path : "";
                continue;
            }

            if (Name(argument) is { } name)
            {
                given.Add(name);
            }

            result.Add(argument);
        }

        foreach (var (name, path) in fromFiles)
        {
            if (given.Contains(name))
            {
                throw new BadInputException($"--{name} and --{name}{FileSuffix} are both given: keep one of them.");
            }

            result.Add($"--{name}={ReadSecretFile($"--{name}{FileSuffix}", path)}");
            given.Add(name);
        }

        foreach (var spec in known.Where(spec => !given.Contains(spec.Name) && spec.Name != DeployArguments.Target))
        {
            var value = NonEmpty(environment(EnvironmentName(spec.Name)));
            var file = spec.Secret ? NonEmpty(environment(EnvironmentName(spec.Name + FileSuffix))) : null;
            if (value is not null && file is not null)
            {
                throw new BadInputException($"{EnvironmentName(spec.Name)} and {EnvironmentName(spec.Name + FileSuffix)} are both set: unset one of them.");
            }

            if (file is not null)
            {
                value = ReadSecretFile(EnvironmentName(spec.Name + FileSuffix), file);
            }

            if (value is not null)
            {
                result.Add($"--{spec.Name}={value}");
            }
        }

        return [.. result];
    }

    /// <summary>The process's own environment, as <see cref="Resolve"/> reads it.</summary>
    public static string[] Resolve(IReadOnlyList<string> commandLine) =>
        Resolve(commandLine, DeployArguments.Common, System.Environment.GetEnvironmentVariable);

    /// <summary>Every environment variable that <see cref="Resolve"/> reads as an argument.</summary>
    public static IEnumerable<string> EnvironmentNames() =>
        DeployArguments.Common.SelectMany(spec => spec.Secret ? [EnvironmentName(spec.Name), EnvironmentName(spec.Name + FileSuffix)] : new[] { EnvironmentName(spec.Name) });

    /// <summary>The value of the last <c>--name=value</c> on a raw command line (the one that wins), or null when none gives one.</summary>
    public static string? LastValue(IEnumerable<string> arguments, string name)
    {
        var prefix = $"--{name}=";
        return arguments.LastOrDefault(argument => argument.StartsWith(prefix, StringComparison.Ordinal)) is { } named &&
               named[prefix.Length..] is { Length: > 0 } value
            ? value
            : null;
    }

    private static ArgumentSpec? FileArgument(string argument, IReadOnlyList<ArgumentSpec> known) =>
        Name(argument) is { } name && name.EndsWith(FileSuffix, StringComparison.OrdinalIgnoreCase)
            ? known.FirstOrDefault(spec => spec.Secret && string.Equals(spec.Name + FileSuffix, name, StringComparison.OrdinalIgnoreCase))
            : null;

    private static string? Name(string argument) =>
        argument.StartsWith("--", StringComparison.Ordinal) ? argument[2..].Split('=', 2)[0] : null;

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>The file's content without the line ending an editor or <c>echo</c> leaves; the message never shows the content.</summary>
    private static string ReadSecretFile(string source, string path)
    {
        if (path.Length == 0)
        {
            throw new BadInputException($"{source}: needs a path: write {source}=<file holding the value>.");
        }

        var full = Path.GetFullPath(path, Cluster.KubeconfigLoader.CallerDirectory());
        string content;
        try
        {
            content = File.ReadAllText(full);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new BadInputException($"{source}: cannot read '{full}' ({exception.Message.TrimEnd('.')}): name a readable file holding the value.");
        }

        content = content.TrimEnd('\r', '\n');
        return content.Length > 0 ? content : throw new BadInputException($"{source}: '{full}' is empty: put the value in it.");
    }
}
