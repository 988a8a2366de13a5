using TwisterLab.Cake.Context;
using TwisterLab.Cake.Safety;

namespace TwisterLab.Cake.Lifetime;

internal static class RunReports
{
    public static RunReport Build(DeployContext context, string? error) => new()
    {
        RunId = context.RunId,
        Target = context.Target,
        Environment = context.Settings.Environment,
        Namespace = context.Settings.Namespace,
        Cluster = context.ReachedBinding,
        Arguments = RedactedArguments(context),
        Started = context.StartedAt,
        Finished = DateTimeOffset.UtcNow,
        Outcome = context.Outcome,
        ExitCode = context.Outcome.ExitCode(),
        Error = error,
        Steps = context.Recorder.Steps,
        Compensations = context.Journal?.Entries ?? [],
        Notes = context.Notes,
    };

    private static SortedDictionary<string, string> RedactedArguments(DeployContext context)
    {
        var secretNames = context.KnownArguments.Where(spec => spec.Secret).Select(spec => spec.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in context.Arguments.GetArguments())
        {
            var value = string.Join(",", values);
            result[name] = secretNames.Contains(name) || SecretRedactor.IsSecretName(name) ? SecretRedactor.Mask : context.Redactor.Redact(value);
        }

        return result;
    }
}
