using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Context;

/// <summary>The validated settings of one run: guide defaults, then the environment profile, then the arguments.</summary>
public sealed record DeploySettings
{
    public required string Environment { get; init; }
    public required EnvironmentProfile Profile { get; init; }
    public required string Namespace { get; init; }
    public string? KubeContext { get; init; }
    public string? Kubeconfig { get; init; }

    /// <summary>The directory the user ran ./build.sh from, where a relative --kubeconfig is read (build.sh itself runs in the repository).</summary>
    public string CallerDirectory { get; init; } = KubeconfigLoader.CallerDirectory();
    public string? ImageTag { get; init; }
    public bool Confirm { get; init; }
    public bool NoRollback { get; init; }

    /// <summary>--progress: auto, lines or off.</summary>
    public string Progress { get; init; } = "auto";
    public string? RunId { get; init; }
    public bool TakeOver { get; init; }
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(60);
    public required string BackupDir { get; init; }
    public string? ClusterKind { get; init; }

    /// <summary>--cluster=kind or --cluster=kind=&lt;name&gt;.</summary>
    public bool IsKind => ClusterKind is "kind" || ClusterKind?.StartsWith("kind=", StringComparison.Ordinal) == true;
    public string? DatabaseUrl { get; init; }
    public string? RedisUrl { get; init; }
    public bool MigrationsReversible { get; init; }
    public string MigrationCommand { get; init; } = "alembic upgrade head";
    public string DowngradeCommand { get; init; } = "alembic downgrade {revision}";

    /// <summary>The application image's Alembic version folder, absolute: where a Job mounts a revision the image does not carry.</summary>
    public string AlembicVersionsPath { get; init; } = DefaultAlembicVersionsPath;

    public const string DefaultAlembicVersionsPath = "/app/alembic/versions";

    /// <summary>--migrate-in=running-pod: the guide's exec into the running pod instead of a Job with the new image.</summary>
    public bool MigrateInRunningPod { get; init; }
    public TimeSpan RolloutTimeout { get; init; } = TimeSpan.FromMinutes(10);
    public TimeSpan MonitorWindow { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan MonitorInterval { get; init; } = TimeSpan.FromSeconds(30);
    public string? PrometheusUrl { get; init; }
    public int? CanaryPercent { get; init; }
    public TimeSpan ScaleDownDelay { get; init; } = TimeSpan.FromSeconds(30);
    public string? BackupPath { get; init; }
    public bool VerifyRestore { get; init; }
    public string? InjectFailureAt { get; init; }
    public string ManifestsDir { get; init; } = "k8s";
    public string SchemaMigration { get; init; } = "migrations/upgrade_v2.sql";
    public string DataMigrationCommand { get; init; } = "python scripts/migrate_data_v2.py";
    public string? Secret { get; init; }
    public string NewPostgres { get; init; } = "postgres-16";
    public string? NewDatabaseUrl { get; init; }
    public bool DeleteOld { get; init; }

    /// <summary>How long the metrics are read before the change for the baseline.</summary>
    public TimeSpan BaselineWindow { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>PostgresMajorUpgrade: auto, replication or dump.</summary>
    public string PgCopy { get; init; } = "auto";

    /// <summary>PostgresMajorUpgrade: the old server's address for the new server's subscription (null: --database-url).</summary>
    public string? ReplicationSourceUrl { get; init; }
    public string RedisImage { get; init; } = "redis:7.2-alpine";
    public string? SqlitePath { get; init; }

    /// <summary>--export-sql: ImportSqlite also writes the SQL text export (gzip), not only the hashed copy of the file.</summary>
    public bool ExportSql { get; init; }
    public string? KubernetesVersion { get; init; }
    public string NodeUpgradeCommand { get; init; } = GuideNodeUpgradeCommand;
    public IReadOnlyList<string>? Nodes { get; init; }
    public string? ComposeDatabaseUrl { get; init; }
    public string? ComposeRedisUrl { get; init; }
    public string ComposeDbContainer { get; init; } = "twisterlab-db";
    public string ComposeRedisContainer { get; init; } = "twisterlab-redis";
    public string? ComposeFile { get; init; }
    public string? DockerHost { get; init; }
    public bool SkipRedisExport { get; init; }
    public bool KeepCompose { get; init; }
    public string? SourceDatabaseUrl { get; init; }
    public IReadOnlyList<Data.AnonymizationRule> Anonymize { get; init; } = [];
    public string IntegrationTestCommand { get; init; } = GuideIntegrationTestCommand;
    public string LoadTestCommand { get; init; } = GuideLoadTestCommand;

    /// <summary>The guide's "Testing Upgrades" steps 3 and 4.</summary>
    public const string GuideIntegrationTestCommand = "pytest tests/integration/ -v --env=staging";
    public const string GuideLoadTestCommand = "k6 run tests/load/load-test.js --env STAGE=staging";

    /// <summary>The guide's step 3 ("SSH to node"), as a template.</summary>
    public const string GuideNodeUpgradeCommand =
        "ssh {node} \"sudo sh -c 'apt-get update && apt-get install -y kubelet={version}-00 kubectl={version}-00 && systemctl restart kubelet'\"";

    /// <summary>Where a rehearsal's backups go unless --backup-dir says otherwise.</summary>
    public const string RehearsalBackups = ".twisterlab/rehearsal/backups";

    /// <summary>A rehearsal run: --environment=rehearsal (the Rehearse target's runs) or the embedded cluster.</summary>
    public bool IsRehearsal => IsRehearsalRun(Environment, ClusterKind);

    private static bool IsRehearsalRun(string environment, string? clusterKind) => environment == "rehearsal" || clusterKind == "embedded";

    /// <summary>The application's Secret: --secret, else the profile's.</summary>
    public string AppSecret => Secret ?? Profile.Secret;

    public string Image(string tag) => $"{Profile.Image}:{tag}";

    /// <summary>Reads and checks every argument; the first problem ends the run before any task starts.</summary>
    public static DeploySettings From(ICakeArguments arguments, IReadOnlyCollection<ArgumentSpec> known, string workingDirectory)
    {
        RejectUnknownOrInvalid(arguments, known, workingDirectory);
        string? Value(string name) => arguments.HasArgument(name) ? arguments.GetArguments(name).LastOrDefault() : null;
        bool Flag(string name) => arguments.HasArgument(name) && !string.Equals(Value(name), "false", StringComparison.OrdinalIgnoreCase);

        var environment = Value(DeployArguments.Environment) ?? "production";
        var profile = LoadProfile(workingDirectory, environment, explicitlyAsked: Value(DeployArguments.Environment) is not null);
        var settings = new DeploySettings
        {
            Environment = environment,
            Profile = profile,
            Namespace = Value(DeployArguments.Namespace) ?? profile.Namespace,
            KubeContext = Value(DeployArguments.KubeContext),
            // As written: KubeconfigLoader reads a relative path (or a ':' list) from the directory the user ran ./build.sh from.
            Kubeconfig = Value(DeployArguments.Kubeconfig),
            ImageTag = Value(DeployArguments.ImageTag),
            Confirm = Flag(DeployArguments.Confirm),
            NoRollback = Flag(DeployArguments.NoRollback),
            Progress = Value(DeployArguments.Progress) ?? "auto",
            RunId = Value(DeployArguments.Run),
            TakeOver = Flag(DeployArguments.TakeOver),
            LeaseDuration = Duration(DeployArguments.LeaseDuration) ?? TimeSpan.FromSeconds(60),
            // A rehearsal's backups live apart, like its runs: FullRollback of a real run never finds one.
            BackupDir = Path.GetFullPath(Value(DeployArguments.BackupDir) ?? (IsRehearsalRun(environment, Value(DeployArguments.Cluster)) ? RehearsalBackups : "backups"), workingDirectory),
            ClusterKind = Value(DeployArguments.Cluster),
            DatabaseUrl = Value(DeployArguments.DatabaseUrl),
            RedisUrl = Value(DeployArguments.RedisUrl),
            MigrationsReversible = Flag(DeployArguments.MigrationsReversible),
            MigrationCommand = Value(DeployArguments.MigrationCommand) ?? "alembic upgrade head",
            DowngradeCommand = Value(DeployArguments.DowngradeCommand) ?? "alembic downgrade {revision}",
            AlembicVersionsPath = Value(DeployArguments.AlembicVersionsPath) ?? DefaultAlembicVersionsPath,
            MigrateInRunningPod = Value(DeployArguments.MigrateIn) == "running-pod",
            RolloutTimeout = Duration(DeployArguments.RolloutTimeout) ?? TimeSpan.FromMinutes(10),
            MonitorWindow = Duration(DeployArguments.MonitorWindow) ?? ProfileDuration(profile.MonitorWindow, "monitorWindow") ?? TimeSpan.FromMinutes(5),
            MonitorInterval = Duration(DeployArguments.MonitorInterval) ?? ProfileDuration(profile.MonitorInterval, "monitorInterval") ?? TimeSpan.FromSeconds(30),
            PrometheusUrl = Value(DeployArguments.PrometheusUrl) ?? profile.PrometheusUrl,
            CanaryPercent = Value(DeployArguments.Canary) is { } canary ? int.Parse(canary) : null,
            ScaleDownDelay = Duration(DeployArguments.ScaleDownDelay) ?? TimeSpan.FromSeconds(30),
            BackupPath = Value(DeployArguments.Backup) is { } backup ? Path.GetFullPath(backup, workingDirectory) : null,
            VerifyRestore = Flag(DeployArguments.VerifyRestore),
            ExportSql = Flag(DeployArguments.ExportSql),
            InjectFailureAt = Value(DeployArguments.InjectFailure),
            ManifestsDir = Value(DeployArguments.Manifests) is { } manifests ? Path.GetFullPath(manifests, workingDirectory) : BundledFolders.Resolve(workingDirectory, BundledFolders.Manifests),
            SchemaMigration = Path.GetFullPath(Value(DeployArguments.SchemaMigration) ?? "migrations/upgrade_v2.sql", workingDirectory),
            DataMigrationCommand = Value(DeployArguments.DataMigrationCommand) ?? "python scripts/migrate_data_v2.py",
            Secret = Value(DeployArguments.Secret),
            NewPostgres = Value(DeployArguments.NewPostgres) ?? "postgres-16",
            NewDatabaseUrl = Value(DeployArguments.NewDatabaseUrl),
            DeleteOld = Flag(DeployArguments.DeleteOld),
            PgCopy = Value(DeployArguments.PgCopy) ?? "auto",
            BaselineWindow = Duration(DeployArguments.BaselineWindow) ?? TimeSpan.FromSeconds(30),
            ReplicationSourceUrl = Value(DeployArguments.ReplicationSourceUrl),
            RedisImage = Value(DeployArguments.RedisImage) ?? "redis:7.2-alpine",
            KubernetesVersion = Value(DeployArguments.KubernetesVersion),
            NodeUpgradeCommand = Value(DeployArguments.NodeUpgradeCommand) ?? GuideNodeUpgradeCommand,
            Nodes = Value(DeployArguments.Nodes)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
            SourceDatabaseUrl = Value(DeployArguments.SourceDatabaseUrl),
            Anonymize = AnonymizationRules(Value(DeployArguments.Anonymize), profile, environment),
            IntegrationTestCommand = Value(DeployArguments.IntegrationTestCommand) ?? GuideIntegrationTestCommand,
            LoadTestCommand = Value(DeployArguments.LoadTestCommand) ?? GuideLoadTestCommand,
            SqlitePath = Value(DeployArguments.SqlitePath) is { } sqlite ? Path.GetFullPath(sqlite, workingDirectory) : null,
            ComposeDatabaseUrl = Value(DeployArguments.ComposeDatabaseUrl),
            ComposeRedisUrl = Value(DeployArguments.ComposeRedisUrl),
            ComposeDbContainer = Value(DeployArguments.ComposeDbContainer) ?? "twisterlab-db",
            ComposeRedisContainer = Value(DeployArguments.ComposeRedisContainer) ?? "twisterlab-redis",
            ComposeFile = Value(DeployArguments.ComposeFile) is { } composeFile ? Path.GetFullPath(composeFile, workingDirectory) : null,
            DockerHost = Value(DeployArguments.DockerHost),
            SkipRedisExport = Flag(DeployArguments.SkipRedisExport),
            KeepCompose = Flag(DeployArguments.KeepCompose),
        };
        RejectContradictions(settings);
        return settings;
        TimeSpan? Duration(string name) => Value(name) is { } text ? Durations.Parse(text) : null;
        TimeSpan? ProfileDuration(string? text, string field)
        {
            try
            {
                return text is null ? null : Durations.Parse(text);
            }
            catch (Exception exception) when (exception is FormatException or ArgumentException)
            {
                throw new BadInputException($"environments/{environment}.json, {field}: {exception.Message}");
            }
        }
    }

    /// <summary>--anonymize, else the profile's list (whose rules are checked here: the argument's were checked already).</summary>
    private static IReadOnlyList<Data.AnonymizationRule> AnonymizationRules(string? argument, EnvironmentProfile profile, string environment)
    {
        try
        {
            return Data.AnonymizationRule.ParseList(argument is null ? profile.Anonymize : [argument]);
        }
        catch (Data.DataOperationException exception)
        {
            throw new BadInputException($"environments/{environment}.json, anonymize: {exception.Message}");
        }
    }

    /// <summary>
    /// Every argument through its declared parser, before anything else reads it: one line naming the argument, what
    /// is wrong and the fix. A value-taking argument without a value is refused here too (not a null deeper down).
    /// </summary>
    private static void RejectUnknownOrInvalid(ICakeArguments arguments, IReadOnlyCollection<ArgumentSpec> known, string workingDirectory)
    {
        foreach (var (name, values) in arguments.GetArguments())
        {
            var spec = known.FirstOrDefault(candidate => string.Equals(candidate.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new BadInputException($"Unknown argument '--{name}'.{Suggestions.DidYouMean(Suggestions.Closest(name, known.Select(k => k.Name)) is { } closest ? "--" + closest : null)} Run with --target=Default to list the arguments.");
            foreach (var value in values)
            {
                if (Problem(spec, value, workingDirectory) is { } problem)
                {
                    throw new BadInputException($"--{spec.Name}: {problem}");
                }
            }
        }
    }

    private static string? Problem(ArgumentSpec spec, string? value, string workingDirectory)
    {
        if (spec.Flag)
        {
            return ArgumentParsers.FlagValue(value ?? "");
        }

        if (string.IsNullOrEmpty(value))
        {
            return $"needs a value: write --{spec.Name}=<value> ({spec.Description.TrimEnd('.')}).";
        }

        return spec.Check?.Invoke(spec.IsPath ? Path.GetFullPath(value, workingDirectory) : value);
    }

    /// <summary>Arguments that are fine alone but not together.</summary>
    private static void RejectContradictions(DeploySettings settings)
    {
        if (settings.MonitorInterval > settings.MonitorWindow)
        {
            throw new BadInputException($"--{DeployArguments.MonitorInterval}: {Durations.Format(settings.MonitorInterval)} is longer than the monitor window ({Durations.Format(settings.MonitorWindow)}): " +
                                        $"give an interval shorter than --{DeployArguments.MonitorWindow}, so the window gets several samples.");
        }
    }

    private static EnvironmentProfile LoadProfile(string workingDirectory, string environment, bool explicitlyAsked)
    {
        var folder = BundledFolders.Resolve(workingDirectory, BundledFolders.Profiles);
        var path = Path.Combine(folder, environment + ".json");
        if (File.Exists(path))
        {
            return EnvironmentProfile.Load(path);
        }

        if (!explicitlyAsked)
        {
            return new EnvironmentProfile { RequiresConfirmation = true };
        }

        var known = Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>().Order().ToList()
            : [];
        throw new BadInputException(
            $"Unknown environment '{environment}': there is no {Path.Combine("environments", environment + ".json")}." +
            (known.Count > 0 ? $" Known: {string.Join(", ", known)}." : " Create it (see README)."));
    }
}
