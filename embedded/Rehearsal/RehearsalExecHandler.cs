using System.Net;
using System.Text;
using TwisterLab.Cake.Data;
using TwisterLab.KubeSim;

namespace TwisterLab.Cake.Rehearsal;

/// <summary>
/// What "kubectl exec" reaches in the rehearsal's pods. Commands run as real local processes against the
/// rehearsal's real servers: psql/pg_dump in a postgres pod reach the throwaway PostgreSQL behind that pod's
/// Service, redis-cli in a redis pod the throwaway Redis; the API image's alembic is <see cref="StandInAlembic"/>
/// with the migrations of that pod's image (a migration Job with v2's image runs v2's migrations) and the revisions the
/// pod mounts into the image's version folder.
/// <c>kubectl port-forward</c> reaches the same servers: a postgres pod's 5432 is the throwaway PostgreSQL, a redis
/// pod's 6379 the throwaway Redis.
/// </summary>
public sealed class RehearsalExecHandler : IExecHandler, IPortForwardHandler
{
    /// <summary>The ports the project's manifests give the database and cache containers (k8s/deployments).</summary>
    public const int PostgresPort = 5432, RedisPort = 6379;

    private readonly LocalProcessExecHandler _local = new();
    private readonly Dictionary<string, PostgresTarget> _postgresByImage = new(StringComparer.Ordinal);
    private readonly string _migrationsRoot;
    private PostgresTarget? _apiDatabase;
    private int? _redisPort;

    public RehearsalExecHandler(string migrationsRoot) => _migrationsRoot = migrationsRoot;

    /// <summary>Pods whose image matches the glob run their PostgreSQL clients against this server.</summary>
    public RehearsalExecHandler WithPostgres(string imagePattern, PostgresTarget server)
    {
        _postgresByImage[imagePattern] = server;
        if (imagePattern.StartsWith("postgres:", StringComparison.Ordinal))
        {
            // Only the database pods listen on 5432; the API image gets the PG* variables for its clients, not the port.
            _local.WithPortForward(imagePattern, PostgresPort, new DnsEndPoint(server.Host, server.Port));
        }

        _local.WithImageEnvironment(imagePattern, new Dictionary<string, string>
        {
            ["PGHOST"] = server.Host,
            ["PGPORT"] = server.Port.ToString(),
            ["PGUSER"] = server.Username,
            ["PGPASSWORD"] = server.Password ?? string.Empty,
            ["PGDATABASE"] = server.Database,
        });
        return this;
    }

    /// <summary>The database the API's migrations run against (where DATABASE_URL points in the rehearsal).</summary>
    public RehearsalExecHandler WithApiDatabase(PostgresTarget database)
    {
        _apiDatabase = database;
        return this;
    }

    public RehearsalExecHandler WithRedis(int port)
    {
        _redisPort = port;
        _local.WithPortForward("redis:*", RedisPort, new IPEndPoint(IPAddress.Loopback, port));
        return this;
    }

    public EndPoint? Resolve(PortForwardRequest request) => _local.Resolve(request);

    public async Task<int> ExecAsync(ExecRequest request, Stream stdin, Stream stdout, Stream stderr, CancellationToken ct)
    {
        var command = request.Command.ToArray();
        if (command is ["alembic", .. var arguments] && _apiDatabase is { } database)
        {
            await using var output = new StreamWriter(stdout, new UTF8Encoding(false), leaveOpen: true);
            await using var error = new StreamWriter(stderr, new UTF8Encoding(false), leaveOpen: true);
            // What the pod mounted into the image's version folder is in the pod's folder (the simulator projects configMap volumes there).
            var mounted = request.WorkingDirectory is { } podFolder ? Path.Combine(podFolder, StandInAlembic.ImageVersionsPath.TrimStart('/')) : null;
            return await StandInAlembic.ForImage(_migrationsRoot, request.Image, database, mounted).RunAsync(arguments, output, error, ct);
        }

        if (command is ["redis-cli", .. var rest] && _redisPort is { } port)
        {
            // The pod's redis-cli talks to localhost:6379; here that server is the throwaway one.
            request = request with { Command = ["redis-cli", "-h", "127.0.0.1", "-p", port.ToString(), .. rest] };
        }

        if (command is ["python" or "python3", .. var pythonArguments])
        {
            request = request with { Command = ["python3", .. pythonArguments] };
        }

        return await _local.ExecAsync(request, stdin, stdout, stderr, ct);
    }
}
