using System.Text.RegularExpressions;
using TwisterLab.Cake.Cluster;

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
    public const string TakeOver = "take-over";
    public const string LeaseDuration = "lease-duration";
    public const string BackupDir = "backup-dir";
    public const string TestFilter = "test-filter";
    public const string Cluster = "cluster";
    public const string DatabaseUrl = "database-url";
    public const string RedisUrl = "redis-url";
    public const string MigrationsReversible = "migrations-reversible";
    public const string MigrationCommand = "migration-command";
    public const string DowngradeCommand = "downgrade-command";
    public const string AlembicVersionsPath = "alembic-versions-path";
    public const string MigrateIn = "migrate-in";
    public const string RolloutTimeout = "rollout-timeout";
    public const string MonitorWindow = "monitor-window";
    public const string MonitorInterval = "monitor-interval";
    public const string PrometheusUrl = "prometheus-url";
    public const string BaselineWindow = "baseline-window";
    public const string Canary = "canary";
    public const string ScaleDownDelay = "scale-down-delay";
    public const string Backup = "backup";
    public const string VerifyRestore = "verify-restore";
    public const string ApiUrl = "api-url";
    public const string InjectFailure = "inject-failure";
    public const string Manifests = "manifests";
    public const string SchemaMigration = "schema-migration";
    public const string DataMigrationCommand = "data-migration-command";
    public const string Secret = "secret";
    public const string NewPostgres = "new-postgres";
    public const string NewDatabaseUrl = "new-database-url";
    public const string DeleteOld = "delete-old";
    public const string PgCopy = "pg-copy";
    public const string ReplicationSourceUrl = "replication-source-url";
    public const string RedisImage = "redis-image";
    public const string SqlitePath = "sqlite-path";
    public const string ExportSql = "export-sql";
    public const string KubernetesVersion = "kubernetes-version";
    public const string NodeUpgradeCommand = "node-upgrade-command";
    public const string Nodes = "nodes";
    public const string ComposeDatabaseUrl = "compose-database-url";
    public const string ComposeRedisUrl = "compose-redis-url";
    public const string ComposeDbContainer = "compose-db-container";
    public const string ComposeRedisContainer = "compose-redis-container";
    public const string ComposeFile = "compose-file";
    public const string DockerHost = "docker-host";
    public const string SkipRedisExport = "skip-redis-export";
    public const string KeepCompose = "keep-compose";
    public const string SourceDatabaseUrl = "source-database-url";
    public const string Anonymize = "anonymize";
    public const string IntegrationTestCommand = "integration-test-command";
    public const string LoadTestCommand = "load-test-command";
    public const string Progress = "progress";

    public static IReadOnlyList<ArgumentSpec> Common { get; } =
    [
        new(Target, "The target to run (see the list above)."),
        new(Environment, "Environment profile: environments/<name>.json (default: production).", Check: CheckName),
        new(Namespace, "Kubernetes namespace (default from the profile: twisterlab).", Check: CheckNamespace),
        new(KubeContext, "kubeconfig context to use (default: the current context).", Check: ArgumentParsers.NotBlank),
        new(Kubeconfig, "kubeconfig file, or files separated by ':' (merged as kubectl merges $KUBECONFIG); relative to the directory ./build.sh was run from. Default: $KUBECONFIG, else ~/.kube/config, else the pod's service account.", Check: CheckKubeconfig),
        new(ImageTag, "Image tag to deploy, e.g. v2.0.", Check: CheckImageTag),
        new(Confirm, "Confirms a change to production (otherwise asked on a terminal, refused in a pipeline).", Flag: true),
        new(Progress, "How long operations show their progress: auto (bars on a terminal, timestamped lines otherwise), lines, or off (default: auto).",
            Check: value => value is "auto" or "lines" or "off" ? null : $"'{value}' is not a progress mode (auto, lines or off)."),
        new(NoRollback, "On failure, keep the journal instead of rolling back (finish with --target=Rollback --run=<id>).", Flag: true),
        new(Run, "A run id whose journal --target=Rollback completes, or 'latest': the newest unfinished run of this cluster, namespace and environment.", Check: CheckRunId),
        new(TakeOver, "Take over the namespace's expired lock although the run that held it left an unfinished journal (recorded in the report; otherwise: --target=Rollback --run=<id> first).", Flag: true),
        new(LeaseDuration, "How long the namespace's lock stays held without renewal, 1s to 1h, e.g. 60s (default: 60s; renewed every third of it).", Check: ArgumentParsers.Duration(TimeSpan.FromSeconds(1), TimeSpan.FromHours(1))),
        new(BackupDir, "Folder for database backups (default: backups; created when missing).", Check: ArgumentParsers.FolderToWrite, IsPath: true),
        new(TestFilter, "dotnet test --filter expression for --target=Test."),
        new(Cluster, "embedded: the whole rehearsal world for this run; kind[=name]: the kind cluster kind-<name> (needs Docker and kind); default: the kubeconfig.",
            Check: value => value is "embedded" or "kind" || System.Text.RegularExpressions.Regex.IsMatch(value, "^kind=[a-z0-9]([-a-z0-9]*[a-z0-9])?$") ? null : $"'{value}' is not a cluster kind (embedded, kind or kind=<name>)."),
        new(DatabaseUrl, "PostgreSQL to back up/migrate directly, e.g. postgresql://user:pass@host:5432/twisterlab (default: through the postgres pod). Connected to before the first change.", Check: CheckPostgresAddress, Secret: true),
        new(RedisUrl, "Redis to save and copy directly, e.g. redis://:pass@host:6379 (default: through the redis pod). Connected to (PING) before the first change.", Check: CheckRedisAddress, Secret: true),
        new(MigrationsReversible, "The schema migration can be undone with the downgrade command (default: no, so a failure after it holds instead of undoing).", Flag: true),
        new(MigrationCommand, "Schema migration run in the API pod (default: alembic upgrade head).", Check: ArgumentParsers.NotBlank),
        new(DowngradeCommand, "Undo of the migration, with {revision} for the revision before it (default: alembic downgrade {revision}).", Check: ArgumentParsers.NotBlank),
        new(AlembicVersionsPath, "MigrateToMultiTenant: the application image's Alembic version folder, an absolute path, where the tenant revision is mounted for alembic (default: /app/alembic/versions).",
            Check: value => value.StartsWith('/') && !value.Contains("..") ? null : $"'{value}' is not an absolute path inside the image, e.g. /app/alembic/versions."),
        new(MigrateIn, "Where the schema migration runs: job (default: a Job with the new image and the API pod's env, before the rollout) or running-pod (the guide's kubectl exec into the running, old, image).",
            Check: value => value is "job" or "running-pod" ? null : $"'{value}' is not a place to migrate in (job or running-pod)."),
        new(RolloutTimeout, "How long a rollout may take, 1s to 24h, e.g. 10m (default: 10m).", Check: ArgumentParsers.Duration(TimeSpan.FromSeconds(1), TimeSpan.FromHours(24))),
        new(MonitorWindow, "How long Monitor watches the new version, 1s to 24h, e.g. 5m (the guide says 5-10 minutes; default: 5m).", Check: ArgumentParsers.Duration(TimeSpan.FromSeconds(1), TimeSpan.FromHours(24))),
        new(MonitorInterval, "How often Monitor samples the metrics, 100ms to 1h and not longer than --monitor-window (default: 30s).", Check: ArgumentParsers.Duration(TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1))),
        new(BaselineWindow, "How long the metrics are read before the change, as the baseline that degradation, memory and CPU are judged against, 1s to 1h (default: 30s).", Check: ArgumentParsers.Duration(TimeSpan.FromSeconds(1), TimeSpan.FromHours(1))),
        new(PrometheusUrl, "Prometheus to read the checklist metrics from, an http(s) URL, e.g. http://prometheus:9090 (default: the API's /metrics page). Reached before the first change.", Check: ArgumentParsers.HttpUrl("http://prometheus:9090")),
        new(Canary, "Blue-green: first send this percent of traffic to green while Monitor judges it (1-99).", Check: CheckPercent),
        new(ScaleDownDelay, "Blue-green: keep blue warm this long after the switch, for an instant rollback, 0s (scale down at once) to 24h (default: 30s).", Check: ArgumentParsers.Duration(TimeSpan.Zero, TimeSpan.FromHours(24))),
        new(Backup, "FullRollback: the backup to restore, a file that exists (default: the latest verified one in --backup-dir).", Check: ArgumentParsers.ExistingFileOrFolder, IsPath: true),
        new(ApiUrl, "Base URL of the TwisterLab API for health, MCP and metrics checks, an http(s) URL, e.g. http://localhost:30001 (default from the profile). Reached before the first change.", Check: ArgumentParsers.HttpUrl("http://localhost:30001")),
        new(Manifests, "The manifests folder, which must exist (default: k8s).", Check: ArgumentParsers.ExistingFolder, IsPath: true),
        new(SchemaMigration, "MaintenanceUpgrade: SQL file run with psql in the postgres pod, which must exist (default: migrations/upgrade_v2.sql).", Check: ArgumentParsers.ExistingFile, IsPath: true),
        new(DataMigrationCommand, "MaintenanceUpgrade: data migration run in the API pod (default: python scripts/migrate_data_v2.py).", Check: ArgumentParsers.NotBlank),
        new(Secret, "The application's Secret holding DATABASE_URL (default from the profile: twisterlab-secrets).", Check: CheckName),
        new(NewPostgres, "PostgresMajorUpgrade: the new server's deployment and Service, applied from <manifests>/deployments/<name>.yaml (default: postgres-16).", Check: CheckName),
        new(NewDatabaseUrl, "PostgresMajorUpgrade: the new server, reached directly for the restore and its checks, e.g. postgresql://twisterlab:pass@localhost:5433/twisterlab (kubectl port-forward svc/postgres-16 5433:5432).", Check: CheckPostgresAddress, Secret: true),
        new(DeleteOld, "PostgresMajorUpgrade: after verification, delete the old PostgreSQL deployment and its PVC (no undo; default: keep them).", Flag: true),
        new(PgCopy, "PostgresMajorUpgrade: how the data moves. replication: logical replication while the API writes, then a pause of seconds (needs wal_level = logical on the old server); dump: the guide's dump/restore with writes refused for the whole copy; auto (default): replication when the old server allows it, else dump.",
            Check: value => value is "auto" or "replication" or "dump" ? null : $"'{value}' is not a copy method (auto, replication or dump)."),
        new(ReplicationSourceUrl, "PostgresMajorUpgrade: the old server as the NEW server reaches it, for its subscription, e.g. postgresql://twisterlab:pass@postgres:5432/twisterlab (default: --database-url).", Check: CheckPostgresAddress, Secret: true),
        new(RedisImage, "RedisUpgrade: the Redis image to set (default: redis:7.2-alpine).", Check: CheckImageReference),
        new(SqlitePath, "MigrateSqliteToPostgres: the SQLite database file to move into PostgreSQL (header and size checked, then PRAGMA quick_check, before the first change).", Check: ArgumentParsers.SqliteFile, IsPath: true),
        new(KubernetesVersion, "ClusterUpgrade: the kubelet version to reach, e.g. 1.29.0 (not newer than the control plane).", Check: CheckVersion),
        new(NodeUpgradeCommand, "ClusterUpgrade: shell command that upgrades one node's kubelet, with {node} and {version} (default: the guide's ssh + apt-get line).", Check: CheckNodeCommand),
        new(Nodes, "ClusterUpgrade: the worker nodes to upgrade, comma-separated, in order (default: every worker, by name).", Check: CheckNodeList),
        new(ComposeDbContainer, "MigrateComposeToKubernetes: the Compose PostgreSQL container pg_dump runs in (default: twisterlab-db).", Check: CheckName),
        new(ComposeRedisContainer, "MigrateComposeToKubernetes: the Compose Redis container whose dump.rdb is copied (default: twisterlab-redis).", Check: CheckName),
        new(ComposeFile, "MigrateComposeToKubernetes: the compose file 'docker compose down' stops (default: the one of the working directory).", Check: ArgumentParsers.ExistingFile, IsPath: true),
        new(DockerHost, "MigrateComposeToKubernetes: the Docker engine of the Compose host, e.g. ssh://user@compose-host (default: the docker CLI's own).", Check: CheckDockerHost),
        new(ComposeDatabaseUrl, "MigrateComposeToKubernetes: export with pg_dump straight from this PostgreSQL instead of docker exec (no Docker needed; Compose is then left running), e.g. postgresql://twisterlab:pass@compose-host:5432/twisterlab.", Check: CheckPostgresAddress, Secret: true),
        new(ComposeRedisUrl, "MigrateComposeToKubernetes: save and copy Redis's dump straight from this server instead of docker exec/cp, e.g. redis://:pass@compose-host:6379.", Check: CheckRedisAddress, Secret: true),
        new(SkipRedisExport, "MigrateComposeToKubernetes: do not export Redis (the guide marks it optional; default: export it).", Flag: true),
        new(KeepCompose, "MigrateComposeToKubernetes: leave Docker Compose running after the switch (default: docker compose down once Kubernetes is healthy).", Flag: true),
        new(SourceDatabaseUrl, "StagingRehearsal: production's database, copied into --database-url (only read, in one snapshot), e.g. postgresql://reader:pass@localhost:5433/twisterlab.", Check: CheckPostgresAddress, Secret: true),
        new(Anonymize, "StagingRehearsal: personal columns rewritten in the copy, comma-separated " + Data.AnonymizationRule.Syntax + " (default from the profile).", Check: CheckAnonymization),
        new(IntegrationTestCommand, "StagingRehearsal: the integration tests, run here against staging (default: pytest tests/integration/ -v --env=staging).", Check: ArgumentParsers.NotBlank),
        new(LoadTestCommand, "StagingRehearsal: the load test (default: k6 run tests/load/load-test.js --env STAGE=staging; skipped with a line when k6 is not installed).", Check: ArgumentParsers.NotBlank),
        new(InjectFailure, "Rehearsal: make this step fail after its work, to see the chain roll back; must name a step of the chain being run.", Check: CheckName),
        new(VerifyRestore, "Also test each backup by restoring it into a scratch database.", Flag: true),
        new(ExportSql, "MigrateSqliteToPostgres: also write the guide's sqlite_export.sql (gzip-compressed, beside the load); without it the export kept is a hashed copy of the SQLite file.", Flag: true),
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

    /// <summary>Every file of the list exists (relative to where the user ran ./build.sh); its content is read on connecting.</summary>
    public static string? CheckKubeconfig(string value)
    {
        try
        {
            KubeconfigLoader.Choose(value);
            return null;
        }
        catch (KubeconfigException exception)
        {
            const string Prefix = "--kubeconfig: "; // the caller names the argument itself
            return exception.Message.StartsWith(Prefix, StringComparison.Ordinal) ? exception.Message[Prefix.Length..] : exception.Message;
        }
    }

    public static string? CheckRunId(string value) =>
        RunIdPattern().IsMatch(value) ? null : $"'{value}' is not a run id (e.g. 20261125-140512345-k3v9, or latest).";

    public static string? CheckPercent(string value) =>
        int.TryParse(value, out var percent) && percent is >= 1 and <= 99 ? null : $"'{value}' is not a percentage from 1 to 99: write a whole number, e.g. --canary=20.";

    public static string? CheckVersion(string value) =>
        VersionPattern().IsMatch(value) ? null : $"'{value}' is not a Kubernetes version (e.g. 1.29.0).";

    public static string? CheckNodeCommand(string value) =>
        value.Contains("{node}", StringComparison.Ordinal) ? null : $"'{value}' does not name the node: put {{node}} (and {{version}}) where they go.";

    public static string? CheckNodeList(string value) =>
        value.Split(',').Select(node => node.Trim()).FirstOrDefault(node => !NodeNamePattern().IsMatch(node)) is { } bad
            ? $"'{bad}' is not a node name (lower-case letters, digits, '-' and '.')."
            : null;

    [GeneratedRegex(@"^[0-9]+\.[0-9]+\.[0-9]+$")]
    private static partial Regex VersionPattern();

    // RFC 1123 subdomain, which Kubernetes requires of a node name (and which keeps it safe inside a shell command).
    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")]
    private static partial Regex NodeNamePattern();

    public static string? CheckImageReference(string value)
    {
        try
        {
            TwisterLab.Cake.Cluster.Deployments.ValidateImage(value);
            return null;
        }
        catch (ArgumentException exception)
        {
            return exception.Message.Split(" (Parameter")[0];
        }
    }

    /// <summary>A PostgreSQL URL or connection string; the message never repeats the password.</summary>
    public static string? CheckPostgresAddress(string value)
    {
        try
        {
            TwisterLab.Cake.Data.PostgresTarget.Parse(value);
            return null;
        }
        catch (TwisterLab.Cake.Data.DataOperationException exception)
        {
            return exception.Message;
        }
    }

    /// <summary>A Redis URL or host:port; the message never repeats the password.</summary>
    public static string? CheckRedisAddress(string value)
    {
        try
        {
            new TwisterLab.Cake.Data.RedisTarget(value).ToOptions();
            return null;
        }
        catch (TwisterLab.Cake.Data.DataOperationException exception)
        {
            return exception.Message;
        }
    }

    public static string? CheckDockerHost(string value) =>
        DockerHostPattern().IsMatch(value) ? null : $"'{value}' is not a Docker host (e.g. ssh://user@compose-host, tcp://compose-host:2376, unix:///var/run/docker.sock).";

    [GeneratedRegex(@"^(ssh|tcp|unix|npipe)://\S+$")]
    private static partial Regex DockerHostPattern();

    public static string? CheckAnonymization(string value)
    {
        foreach (var rule in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (Data.AnonymizationRule.TryParse(rule, out var problem) is null) return problem;
        }

        return null;
    }

}
