using System.Collections.Concurrent;
using TwisterLab.Cake.Context;
using TwisterLab.Cake.Data.Throwaway;
using TwisterLab.Cake.Hosting;

namespace TwisterLab.Cake.Safety;

/// <summary>
/// The <c>--database-url</c> probe (<see cref="ServerProbes.PostgresAsync"/>), started with a real run's process: the
/// first Npgsql connection (assembly load, pool, authentication, type loading) costs 0.1 s or more, paid on the other
/// core while this one starts the engine. The input checks take its answer; the connection it opened waits in
/// Npgsql's pool for the first step. A dry run reaches no server, so it starts none.
/// A failure that was known before the checks asked is probed again (the server may have come up since: the embedded
/// world starts its own); one that arrives while they wait is their answer (a host that drops packets costs one
/// connect timeout, not two).
/// </summary>
public static class EarlyPostgresProbe
{
    private static readonly ConcurrentDictionary<string, Task<string?>> Started = new(StringComparer.Ordinal);

    /// <summary>Starts the probe of the URL <c>--database-url=</c> names, unless the command line asks for a plan.</summary>
    /// <returns>The URL it probes (for <see cref="Forget"/>), or null.</returns>
    public static string? StartFor(IReadOnlyList<string> arguments)
    {
        if (HostRunOptions.AsksForPlan(arguments) || ArgumentSources.LastValue(arguments, DeployArguments.DatabaseUrl) is not { } url)
        {
            return null;
        }

        // A run given a database also starts its tools (pg_dump, pg_restore, psql): their folder is found beside the probe.
        PostgresBinaries.LocateAhead();
        return Started.TryAdd(url, Task.Run(() => ProbeAsync(url))) ? url : null;
    }

    /// <summary>What is wrong with reaching <paramref name="url"/>, or null.</summary>
    public static async Task<string?> PostgresAsync(string url, CancellationToken cancellationToken)
    {
        if (Started.TryRemove(url, out var early))
        {
            var knownBefore = early.IsCompleted;
            var problem = await early.WaitAsync(cancellationToken);
            if (problem is null || !knownBefore)
            {
                return problem;
            }
        }

        return await ServerProbes.PostgresAsync(url, cancellationToken);
    }

    /// <summary>Drops a probe no run took (a longer-lived process, such as the tests, must not hand it to a later run).</summary>
    public static void Forget(string? url)
    {
        if (url is not null)
        {
            Started.TryRemove(url, out _);
        }
    }

    private static async Task<string?> ProbeAsync(string url)
    {
        try
        {
            return await ServerProbes.PostgresAsync(url, CancellationToken.None);
        }
        catch (Exception exception)
        {
            // A URL that does not parse: the input checks refuse it in their own words.
            return exception.Message;
        }
    }
}
