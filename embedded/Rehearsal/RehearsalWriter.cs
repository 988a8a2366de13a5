using System.Diagnostics;
using Npgsql;
using TwisterLab.Cake.Data;

namespace TwisterLab.Cake.Rehearsal;

/// <summary>What a writer saw: writes the database acknowledged, how many of them the final database holds, the longest gap.</summary>
public sealed record WriterResult(int Acknowledged, int Found, TimeSpan LongestPause)
{
    /// <summary>The rehearsal's proof line, exactly as the issue states it.</summary>
    public string Line => $"writes during the upgrade: {Acknowledged} acknowledged, {Found} found on the new server, longest write pause {LongestPause.TotalSeconds:0.0} s";
}

/// <summary>
/// A client of the application's database for the length of a PostgreSQL major upgrade: a row about every 10 ms into
/// <see cref="Table"/>, always in the database the API's DATABASE_URL names now (<see cref="RehearsalEnvironment.ApiDatabaseAsync"/>),
/// retrying what fails. A write counts as acknowledged only when its COMMIT returned. At the end, every acknowledged id
/// is looked for in the database the API then uses: a lost write is an id missing there.
/// </summary>
public sealed class RehearsalWriter : IScenarioWatch
{
    public const string Table = "rehearsal_writes";
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(10);
    private readonly RehearsalEnvironment _world;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<long> _acknowledged = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private TimeSpan _lastAcknowledged;
    private TimeSpan _longestPause;
    private Task _loop = Task.CompletedTask;

    private RehearsalWriter(RehearsalEnvironment world) => _world = world;

    /// <summary>Creates the table where the API's database is now and starts writing.</summary>
    public static async Task<RehearsalWriter> StartAsync(RehearsalEnvironment world, CancellationToken cancellationToken = default)
    {
        var writer = new RehearsalWriter(world);
        await using (var connection = await PostgresErrors.OpenAsync(await world.ApiDatabaseAsync(cancellationToken), cancellationToken))
        await using (var command = new NpgsqlCommand($"CREATE TABLE IF NOT EXISTS {Table} (id bigserial PRIMARY KEY, written_at timestamptz NOT NULL DEFAULT now())", connection))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        writer._loop = Task.Run(() => writer.LoopAsync(writer._stop.Token), CancellationToken.None);
        return writer;
    }

    private async Task LoopAsync(CancellationToken token)
    {
        var target = await _world.ApiDatabaseAsync(token);
        var lookedUp = _clock.Elapsed;
        var lookUpNow = false;
        while (!token.IsCancellationRequested)
        {
            try
            {
                if (lookUpNow || _clock.Elapsed - lookedUp > TimeSpan.FromMilliseconds(100))
                {
                    (target, lookedUp, lookUpNow) = (await _world.ApiDatabaseAsync(token), _clock.Elapsed, false);
                }

                await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(target.ConnectionString) { Timeout = 2, CommandTimeout = 2 }.ConnectionString);
                await connection.OpenAsync(token);
                await using var command = new NpgsqlCommand($"INSERT INTO {Table} DEFAULT VALUES RETURNING id", connection);
                var id = (long)(await command.ExecuteScalarAsync(token))!;
                Acknowledge(id);
            }
            catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or TimeoutException or System.Net.Sockets.SocketException or Cluster.ClusterException)
            {
                // Refused (frozen), cut off (session ended) or between servers: not acknowledged; look the database up again.
                lookUpNow = true;
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }

            await Task.Delay(Every, CancellationToken.None);
        }
    }

    private void Acknowledge(long id)
    {
        lock (_acknowledged)
        {
            _acknowledged.Add(id);
            var now = _clock.Elapsed;
            _longestPause = TimeSpan.FromTicks(Math.Max(_longestPause.Ticks, (now - _lastAcknowledged).Ticks));
            _lastAcknowledged = now;
        }
    }

    /// <summary>Stops writing and counts the acknowledged writes found in the database the API uses now.</summary>
    public async Task<WriterResult> StopAndCountAsync(CancellationToken cancellationToken = default)
    {
        await _stop.CancelAsync();
        await _loop;
        long[] ids;
        TimeSpan longest;
        lock (_acknowledged)
        {
            ids = [.. _acknowledged];
            longest = TimeSpan.FromTicks(Math.Max(_longestPause.Ticks, (_clock.Elapsed - _lastAcknowledged).Ticks));
        }

        await using var connection = await PostgresErrors.OpenAsync(await _world.ApiDatabaseAsync(cancellationToken), cancellationToken);
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {Table} WHERE id = ANY($1)", connection) { Parameters = { new() { Value = ids } } };
        var found = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return new WriterResult(ids.Length, (int)found, longest);
    }

    /// <summary>The rehearsal's verdict: every acknowledged write found, no pause over <see cref="PauseLimit"/>.</summary>
    public async Task<ScenarioWatchResult> StopAsync(CancellationToken cancellationToken)
    {
        var result = await StopAndCountAsync(cancellationToken);
        var problems = new List<string>();
        if (result.Found != result.Acknowledged || result.Acknowledged == 0)
        {
            problems.Add($"{result.Acknowledged - result.Found} acknowledged writes lost ({result.Line})");
        }

        if (result.LongestPause > PauseLimit)
        {
            problems.Add($"writes paused {result.LongestPause.TotalSeconds:0.0} s, over {PauseLimit.TotalSeconds:0} s");
        }

        return new ScenarioWatchResult(result.Line, problems);
    }

    public static readonly TimeSpan PauseLimit = TimeSpan.FromSeconds(5);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
