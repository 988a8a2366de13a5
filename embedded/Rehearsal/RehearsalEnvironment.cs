using Npgsql;
using TwisterLab.Cake.Cluster;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Data.Throwaway;
using TwisterLab.KubeSim;
using ExecRequest = TwisterLab.Cake.Cluster.ExecRequest;

namespace TwisterLab.Cake.Rehearsal;

public sealed record RehearsalOptions(string RepositoryRoot)
{
    public TimeSpan PodStartDelay { get; init; } = TimeSpan.FromMilliseconds(150);

    /// <summary>Image tags whose pods become Ready but serve errors (the decision matrix must catch them).</summary>
    public IReadOnlySet<string> FaultyVersions { get; init; } = new HashSet<string>();

    /// <summary>A faulty version fails one request in this many.</summary>
    public int FaultyFailsOneIn { get; init; } = 3;

    /// <summary>Image tags that fail one request in the given number: a rate of their own (e.g. the matrix's "degraded").</summary>
    public IReadOnlyDictionary<string, int> DegradedVersions { get; init; } = new Dictionary<string, int>();

    /// <summary>The stand-in API's least request time (zero: none); <see cref="SlowVersions"/> scale it.</summary>
    public TimeSpan BaseLatency { get; init; }

    /// <summary>Image tags answering this many times slower than <see cref="BaseLatency"/> (the matrix's degradation rows).</summary>
    public IReadOnlyDictionary<string, double> SlowVersions { get; init; } = new Dictionary<string, double>();

    /// <summary>
    /// Deploy v1 (the default). False leaves the namespace empty, the database empty as the postgres image creates it:
    /// the target of a first install (Compose -> Kubernetes), where the chain's own apply is the real one.
    /// </summary>
    public bool DeployVersionOne { get; init; } = true;

    /// <summary>
    /// The application's server runs with wal_level = logical (the default here), so a PostgreSQL major upgrade can copy
    /// by replication; false gives the stock wal_level = replica, where it falls back to dump/restore.
    /// </summary>
    public bool LogicalWal { get; init; } = true;

    /// <summary>Serve the simulated cluster over HTTPS (a CA made at start, in the kubeconfig), as the sandbox does.</summary>
    public bool Https { get; init; }
}

/// <summary>
/// Everything a rehearsal runs against, all real processes on this machine: the simulated cluster, a throwaway
/// PostgreSQL and Redis behind its postgres and redis pods, and the stand-in API behind its Service. v1 is deployed
/// from the project's own k8s/ manifests, migrated to the first revision and seeded.
/// </summary>
public sealed class RehearsalEnvironment : IAsyncDisposable
{
    public const string Namespace = "twisterlab";
    private readonly List<IAsyncDisposable> _owned = [];
    private RehearsalExecHandler _exec = null!;

    private RehearsalEnvironment(RehearsalOptions options) => Options = options;

    public RehearsalOptions Options { get; }

    public SimulatedCluster Cluster { get; private set; } = null!;

    public ClusterGateway Gateway { get; private set; } = null!;

    public ThrowawayPostgres Postgres { get; private set; } = null!;

    public ThrowawayRedis Redis { get; private set; } = null!;

    public StandInApi Api { get; private set; } = null!;

    /// <summary>The application's database and user, as the guide names them (twisterlab/twisterlab).</summary>
    public PostgresTarget Database => new(new NpgsqlConnectionStringBuilder(Postgres.Target("twisterlab").ConnectionString) { Username = "twisterlab" }.ConnectionString);

    public static async Task<RehearsalEnvironment> StartAsync(RehearsalOptions options, CancellationToken cancellationToken = default)
    {
        var environment = new RehearsalEnvironment(options);
        try
        {
            await environment.StartServersAsync(cancellationToken);
            if (options.DeployVersionOne)
            {
                await environment.DeployVersionOneAsync(cancellationToken);
            }
            else
            {
                await environment.Gateway.Manifests.ApplyAsync(environment.Manifests(Path.Combine("base", "namespace.yaml")), dryRun: false, cancellationToken);
            }
            return environment;
        }
        catch
        {
            await environment.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The user the runs of this world authenticate as (through <see cref="ToolKubeconfigPath"/>): as powerful as the
    /// admin (system:masters), but a name of its own, so the simulator's call record tells the tool's calls from the
    /// world's own (set-up, snapshots, the stand-in API). <see cref="ToolCalls"/> lists them.
    /// </summary>
    public const string ToolUser = "twisterlab-rehearsal";

    /// <summary>The kubeconfig of <see cref="ToolUser"/>; the admin's stays <c>Cluster.KubeconfigPath</c>.</summary>
    public string ToolKubeconfigPath { get; private set; } = "";

    /// <summary>Every distinct call the runs of this world made (verb, group, resource, subresource, namespace).</summary>
    public IReadOnlyList<ApiCall> ToolCalls => Cluster.Calls.Where(call => call.User == ToolUser).ToList();

    /// <summary>The arguments that point a run at this rehearsal (cluster, database, API, fast clocks).</summary>
    public IReadOnlyList<string> Arguments =>
    [
        $"--kubeconfig={ToolKubeconfigPath}",
        $"--context={SimulatedCluster.ContextName}",
        $"--namespace={Namespace}",
        $"--database-url={Database.ConnectionString}",
        $"--api-url={Api.BaseUrl}",
        "--rollout-timeout=30s",
        "--monitor-window=3s",
        "--monitor-interval=500ms",
        "--baseline-window=1s",
        "--scale-down-delay=1s",
        $"--manifests={Path.Combine(Options.RepositoryRoot, "k8s")}",
        $"--schema-migration={Path.Combine(Options.RepositoryRoot, "rehearsal", "upgrade_v2.sql")}",
        $"--data-migration-command=python3 {Path.Combine(Options.RepositoryRoot, "rehearsal", "scripts", "migrate_data_v2.py")}",
    ];

    /// <summary>The second server of a PostgreSQL major upgrade (null until <see cref="StartNewPostgresAsync"/>).</summary>
    public ThrowawayPostgres? NewPostgres { get; private set; }

    /// <summary>
    /// Starts a second PostgreSQL behind the pods of the postgres:16 image (one major on this machine, so the
    /// "upgrade" runs between two servers of the same major), with the twisterlab user and empty database the image's
    /// POSTGRES_USER/POSTGRES_DB create. Returns its address for --new-database-url. Started once.
    /// </summary>
    public async Task<PostgresTarget> StartNewPostgresAsync(CancellationToken cancellationToken = default)
    {
        if (NewPostgres is null)
        {
            NewPostgres = await ThrowawayPostgres.StartAsync(cancellationToken: cancellationToken);
            _owned.Insert(0, NewPostgres);
            await using var connection = new NpgsqlConnection(NewPostgres.Target().ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await new NpgsqlCommand($"CREATE ROLE twisterlab LOGIN SUPERUSER PASSWORD '{NewPostgres.Password}'", connection).ExecuteNonQueryAsync(cancellationToken);
            await new NpgsqlCommand("CREATE DATABASE twisterlab OWNER twisterlab", connection).ExecuteNonQueryAsync(cancellationToken);
            _exec.WithPostgres("postgres:16*", NewDatabase!);
        }

        return NewDatabase!;
    }

    /// <summary>
    /// The database the API uses now: the server behind the Service its DATABASE_URL names (postgres-16 is the second
    /// server once started, any other name the first), as the rehearsal's pods reach them.
    /// </summary>
    public async Task<PostgresTarget> ApiDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var url = await Gateway.Secrets.ReadKeyAsync("twisterlab-secrets", "DATABASE_URL", cancellationToken);
        return url is not null && NewDatabase is { } moved && url.Contains("@postgres-16:", StringComparison.Ordinal) ? moved : Database;
    }

    /// <summary>The second server's application database as the twisterlab user (null before it is started).</summary>
    public PostgresTarget? NewDatabase => NewPostgres is null ? null
        : new(new NpgsqlConnectionStringBuilder(NewPostgres.Target("twisterlab").ConnectionString) { Username = "twisterlab" }.ConnectionString);

    /// <summary>
    /// The Docker Compose database of a Compose -> Kubernetes migration, as a throwaway server of its own (this machine
    /// has no Docker engine): v1's schema and seed, like the one Compose ran. Returns its address for
    /// --compose-database-url. Started once.
    /// </summary>
    public async Task<PostgresTarget> StartComposePostgresAsync(CancellationToken cancellationToken = default)
    {
        if (ComposePostgres is null)
        {
            ComposePostgres = await ThrowawayPostgres.StartAsync(cancellationToken: cancellationToken);
            _owned.Insert(0, ComposePostgres);
            await using (var connection = new NpgsqlConnection(ComposePostgres.Target().ConnectionString))
            {
                await connection.OpenAsync(cancellationToken);
                await new NpgsqlCommand($"CREATE ROLE twisterlab LOGIN SUPERUSER PASSWORD '{ComposePostgres.Password}'", connection).ExecuteNonQueryAsync(cancellationToken);
                await new NpgsqlCommand("CREATE DATABASE twisterlab OWNER twisterlab", connection).ExecuteNonQueryAsync(cancellationToken);
            }

            var database = ComposeDatabase!;
            var errors = new StringWriter();
            if (await StandInAlembic.ForImage(MigrationsRoot, InitialImage, database).RunAsync(["upgrade", "0001_initial"], TextWriter.Null, errors, cancellationToken) != 0)
            {
                throw new InvalidOperationException($"Rehearsal set-up: alembic upgrade 0001_initial on the Compose database failed: {errors.ToString().Trim()}");
            }

            await using var seed = new NpgsqlConnection(database.ConnectionString);
            await seed.OpenAsync(cancellationToken);
            await new NpgsqlCommand(await File.ReadAllTextAsync(Path.Combine(Options.RepositoryRoot, "rehearsal", "seed.sql"), cancellationToken), seed).ExecuteNonQueryAsync(cancellationToken);
        }

        return ComposeDatabase!;
    }

    /// <summary>The Compose database server (null until <see cref="StartComposePostgresAsync"/>).</summary>
    public ThrowawayPostgres? ComposePostgres { get; private set; }

    /// <summary>The Compose server's application database as the twisterlab user (null before it is started).</summary>
    public PostgresTarget? ComposeDatabase => ComposePostgres is null ? null
        : new(new NpgsqlConnectionStringBuilder(ComposePostgres.Target("twisterlab").ConnectionString) { Username = "twisterlab" }.ConnectionString);

    /// <summary>
    /// "Production" for a staging rehearsal: a second database on the same server, at the first revision, with more rows
    /// than the seeded staging and personal data in them (people's names as agent names, e-mail addresses in ticket
    /// bodies), so a refresh is visible and its anonymization checkable. Returns its address for --source-database-url.
    /// </summary>
    public async Task<PostgresTarget> CreateProductionDatabaseAsync(CancellationToken cancellationToken = default)
    {
        var production = Database.WithDatabase("twisterlab_production");
        await using (var connection = new NpgsqlConnection(Database.ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await new NpgsqlCommand("CREATE DATABASE twisterlab_production OWNER twisterlab", connection).ExecuteNonQueryAsync(cancellationToken);
        }

        var migrations = StandInAlembic.ForImage(MigrationsRoot, InitialImage, production);
        if (await migrations.RunAsync(["upgrade", "0001_initial"], TextWriter.Null, TextWriter.Null, cancellationToken) != 0)
        {
            throw new InvalidOperationException("Rehearsal set-up: the production copy could not be migrated to 0001_initial.");
        }

        await using var rows = new NpgsqlConnection(production.ConnectionString);
        await rows.OpenAsync(cancellationToken);
        await new NpgsqlCommand(ProductionRows, rows).ExecuteNonQueryAsync(cancellationToken);
        return production;
    }

    private PostgresTarget? _production;

    /// <summary>"Production" of a staging rehearsal (<see cref="CreateProductionDatabaseAsync"/>), created on first use.</summary>
    public async Task<PostgresTarget> ProductionDatabaseAsync(CancellationToken cancellationToken = default) =>
        _production ??= await CreateProductionDatabaseAsync(cancellationToken);

    public const string ProductionRows = """
        INSERT INTO agents (name) SELECT (ARRAY['Alice Martin', 'Bob Dupont', 'Chloé Nguyen'])[1 + g % 3] || ' ' || g FROM generate_series(1, 30) AS g;
        INSERT INTO tickets (agent_id, body) SELECT 1 + g % 30, 'Customer jane.doe' || g || '@customer.example wrote: my invoice ' || g || ' is wrong' FROM generate_series(1, 800) AS g;
        """;

    /// <summary>rehearsal/migrations/: one folder of migrations per stand-in image release.</summary>
    private string MigrationsRoot => Path.Combine(Options.RepositoryRoot, "rehearsal", "migrations");

    /// <summary>The image k8s/ deploys first: its migrations set up the databases the rehearsal seeds.</summary>
    private const string InitialImage = "twisterlab-api:v1";

    private string Manifests(string relative) => Path.Combine(Options.RepositoryRoot, "k8s", relative);

    private async Task StartServersAsync(CancellationToken cancellationToken)
    {
        var settings = Options.LogicalWal ? new Dictionary<string, string> { ["wal_level"] = "logical" } : null;
        Postgres = await ThrowawayPostgres.StartAsync(settings, cancellationToken);
        _owned.Add(Postgres);
        await using (var connection = new NpgsqlConnection(Postgres.Target().ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            // The password is the throwaway server's own random one, so the rehearsal holds no fixed secret.
            await new NpgsqlCommand($"CREATE ROLE twisterlab LOGIN SUPERUSER PASSWORD '{Postgres.Password}'", connection).ExecuteNonQueryAsync(cancellationToken);
            await new NpgsqlCommand("CREATE DATABASE twisterlab OWNER twisterlab", connection).ExecuteNonQueryAsync(cancellationToken);
        }

        Redis = await ThrowawayRedis.StartAsync(cancellationToken: cancellationToken);
        _owned.Add(Redis);
        var exec = _exec = new RehearsalExecHandler(MigrationsRoot)
            .WithPostgres("postgres:*", Database)
            .WithPostgres("twisterlab-api:*", Database)
            .WithApiDatabase(Database)
            .WithRedis(Redis.Port);
        Cluster = await SimulatedCluster.StartAsync(new SimulatorOptions { PodStartDelay = Options.PodStartDelay, ExecHandler = exec, Https = Options.Https }, cancellationToken);
        _owned.Add(Cluster);
        var token = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        Cluster.AddToken(token, ToolUser, "system:masters");
        // Beside the admin's kubeconfig, in the folder the cluster deletes when it stops.
        ToolKubeconfigPath = Path.Combine(Path.GetDirectoryName(Cluster.KubeconfigPath)!, "rehearsal-tool.kubeconfig");
        Cluster.WriteKubeconfig(ToolKubeconfigPath, KubeconfigUser.WithToken(token));
        Gateway = ClusterGateway.Connect(Cluster.ClientConfiguration, new ClusterConnection(Namespace: Namespace));
        Api = await StandInApi.StartAsync(new StandInOptions { Cluster = Gateway.Client, Namespace = Namespace, FaultyVersions = Options.FaultyVersions, FaultyFailsOneIn = Options.FaultyFailsOneIn, DegradedVersions = Options.DegradedVersions, BaseLatency = Options.BaseLatency, SlowVersions = Options.SlowVersions }, cancellationToken);
        _owned.Add(Api);
    }

    private async Task DeployVersionOneAsync(CancellationToken cancellationToken)
    {
        await Gateway.Manifests.ApplyAsync(Manifests("base"), dryRun: false, cancellationToken);
        foreach (var file in new[] { "postgres.yaml", "redis.yaml", "twisterlab-api.yaml" })
        {
            await Gateway.Manifests.ApplyAsync(Manifests(Path.Combine("deployments", file)), dryRun: false, cancellationToken);
        }

        foreach (var deployment in new[] { "postgres", "redis", "twisterlab-api" })
        {
            await Gateway.Deployments.WaitForRolloutAsync(deployment, new RolloutWaitOptions(TimeSpan.FromSeconds(60)), cancellationToken);
        }

        await ExecOrThrowAsync(new ExecRequest("twisterlab-api", ["alembic", "upgrade", "0001_initial"]), cancellationToken);
        await ExecOrThrowAsync(new ExecRequest("postgres", ["psql", "-v", "ON_ERROR_STOP=1", "-q"], StdinFile: Path.Combine(Options.RepositoryRoot, "rehearsal", "seed.sql")), cancellationToken);
    }

    private async Task ExecOrThrowAsync(ExecRequest request, CancellationToken cancellationToken)
    {
        var result = await Gateway.Pods.ExecAsync(request, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"Rehearsal set-up: '{string.Join(' ', request.Command)}' in {request.Deployment} exited {result.ExitCode}: {result.Stderr.Trim()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Gateway?.Dispose();
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }
    }
}
