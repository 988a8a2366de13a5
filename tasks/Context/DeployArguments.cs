using System.Text.RegularExpressions;

namespace TwisterLab.Cake.Context;

/// <summary>The arguments every run understands, with what each means and how its value is checked.</summary>
public static partial class DeployArguments
{
    public const string Target = "target";
    public const string Environment = "environment";
    public const string Namespace = "namespace";
    public const string KubeContext = "context";
    public const string Kubeconfig = "kubeconfig";
    public const string ImageTag = "image-tag";
    public const string Confirm = "confirm";
    public const string NoRollback = "no-rollback";
    public const string Run = "run";
    public const string BackupDir = "backup-dir";
    public const string TestFilter = "test-filter";

    public static IReadOnlyList<ArgumentSpec> Common { get; } =
    [
        new(Target, "The target to run (see the list above)."),
        new(Environment, "Environment profile: environments/<name>.json (default: production).", Check: CheckName),
        new(Namespace, "Kubernetes namespace (default from the profile: twisterlab).", Check: CheckNamespace),
        new(KubeContext, "kubeconfig context to use (default: the current context)."),
        new(Kubeconfig, "Path of the kubeconfig file (default: $KUBECONFIG or ~/.kube/config).", Check: CheckFileExists),
        new(ImageTag, "Image tag to deploy, e.g. v2.0.", Check: CheckImageTag),
        new(Confirm, "Confirms a change to production (otherwise asked on a terminal, refused in a pipeline).", Flag: true),
        new(NoRollback, "On failure, keep the journal instead of rolling back (finish with --target=Rollback --run=<id>).", Flag: true),
        new(Run, "A run id (or 'latest') whose journal --target=Rollback completes.", Check: CheckRunId),
        new(BackupDir, "Folder for database backups (default: backups)."),
        new(TestFilter, "dotnet test --filter expression for --target=Test."),
    ];

    // Docker's reference grammar for a tag.
    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagPattern();

    // RFC 1123 label, which Kubernetes requires of a namespace name.
    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex LabelPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^(latest|[0-9]{8}-[0-9]{9}-[a-z0-9]{4})$")]
    private static partial Regex RunIdPattern();

    public static string? CheckImageTag(string value) =>
        TagPattern().IsMatch(value) ? null : $"'{value}' is not a valid image tag (letters, digits, '_', '.', '-'; at most 128; no spaces).";

    public static string? CheckNamespace(string value) =>
        LabelPattern().IsMatch(value) ? null : $"'{value}' is not a valid namespace (lower-case letters, digits and '-', at most 63, e.g. twisterlab).";

    public static string? CheckName(string value) =>
        NamePattern().IsMatch(value) ? null : $"'{value}' is not a valid name (letters, digits, '_', '.', '-').";

    public static string? CheckRunId(string value) =>
        RunIdPattern().IsMatch(value) ? null : $"'{value}' is not a run id (e.g. 20261125-140512345-k3v9, or latest).";

    public static string? CheckFileExists(string value) =>
        File.Exists(value) ? null : $"the file '{value}' does not exist.";
}
