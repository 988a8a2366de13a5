using StackExchange.Redis;
using TwisterLab.Cake.Data;
using TwisterLab.Cake.Probes;

namespace TwisterLab.Cake.Safety;

/// <summary>
/// Reaches a server an argument names, as the run will (credentials included), changing nothing: a PostgreSQL
/// <c>SELECT 1</c>, a Redis <c>PING</c>, an HTTP GET. Each returns what is wrong with the fix, or null. Messages never
/// carry a password.
/// </summary>
public static class ServerProbes
{
    public static async Task<string?> PostgresAsync(string url, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await PostgresErrors.OpenAsync(PostgresTarget.Parse(url), cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1";
            await command.ExecuteScalarAsync(cancellationToken);
            return null;
        }
        catch (DataOperationException exception)
        {
            return exception.Message;
        }
    }

    public static async Task<string?> RedisAsync(string url, CancellationToken cancellationToken)
    {
        var target = new RedisTarget(url);
        try
        {
            await using var connection = await RedisGateway.ConnectAsync(target);
            // Connecting succeeds without a password even where one is required; the first command tells.
            await connection.GetDatabase().PingAsync().WaitAsync(cancellationToken);
            return null;
        }
        catch (DataOperationException exception)
        {
            return exception.Message;
        }
        catch (RedisServerException exception) when (exception.Message.Contains("NOAUTH") || exception.Message.Contains("WRONGPASS"))
        {
            return $"Authentication failed for Redis {target}: put the password in the URL (redis://:password@host:6379).";
        }
        catch (RedisException exception)
        {
            return $"Redis {target} does not answer PING ({exception.Message.Split('\n')[0]}): check host, port and that redis-server is running.";
        }
    }

    /// <summary>Any HTTP answer counts: the server is there (whether it is healthy is for the steps to judge).</summary>
    public static async Task<string?> HttpAsync(HttpProbe http, string url, CancellationToken cancellationToken)
    {
        var result = await http.GetAsync(url, cancellationToken);
        return result.Status is null
            ? $"nothing answers at {Data.SecretRedactor.Redact(url)} ({result.Error}): check the URL, or open a route to it (e.g. kubectl port-forward)."
            : null;
    }
}
