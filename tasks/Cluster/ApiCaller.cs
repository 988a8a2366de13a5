using System.Net;
using System.Text.Json;
using k8s.Autorest;
using Polly;
using Polly.Retry;

namespace TwisterLab.Cake.Cluster;

/// <summary>
/// Every API call goes through here: transient failures (429, 5xx, dropped connections, client timeouts) are retried
/// with exponential backoff and jitter; semantic ones (400, 401, 403, 404, 409, 422) are not, and become a
/// <see cref="ClusterException"/> naming the verb, the resource and the fix.
/// </summary>
public sealed class ApiCaller
{
    private readonly ResiliencePipeline _pipeline;
    private readonly ResiliencePipeline _pipelineNo429;

    public ApiCaller(RetryOptions retry)
    {
        _pipeline = Build(retry, retry429: true);
        _pipelineNo429 = Build(retry, retry429: false);
    }

    /// <summary>Calls the API; <paramref name="what"/> is "verb resource" as an operator says it, e.g. "patch service/web in namespace shop".</summary>
    public async Task<T> CallAsync<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken, bool retryTooManyRequests = true)
    {
        var pipeline = retryTooManyRequests ? _pipeline : _pipelineNo429;
        try
        {
            return await pipeline.ExecuteAsync(async token => await call(token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException exception)
        {
            throw Translate(what, exception);
        }
        catch (Exception exception) when (IsTransport(exception, cancellationToken))
        {
            throw new ClusterException($"Cannot {what}: the API server did not answer ({exception.Message}) after retries. Check that the cluster is reachable (kubectl cluster-info).", exception);
        }
    }

    public Task CallAsync(string what, Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        CallAsync(what, async token =>
        {
            await call(token).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    /// <summary>Like <see cref="CallAsync{T}"/>, but a 404 gives null.</summary>
    public async Task<T?> FindAsync<T>(string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            return await CallAsync(what, call, cancellationToken).ConfigureAwait(false);
        }
        catch (ClusterException exception) when (exception.StatusCode == 404)
        {
            return null;
        }
    }

    public static int? StatusOf(Exception exception) => exception switch
    {
        HttpOperationException http => (int?)http.Response?.StatusCode,
        ClusterException cluster => cluster.StatusCode,
        _ => null,
    };

    public static ClusterException Translate(string what, HttpOperationException exception)
    {
        var code = (int)(exception.Response?.StatusCode ?? 0);
        var serverMessage = ServerMessage(exception) ?? exception.Message;
        var fix = code switch
        {
            400 => "The request was malformed; check the manifest or value given.",
            401 => "The credentials were refused: renew them (log in again) or choose another --context.",
            403 => "The account is not allowed to do this: grant it RBAC for this verb and resource (kubectl auth can-i), or use a --context that has it.",
            404 => "It does not exist: check the name and --namespace (kubectl get).",
            409 => "Someone else changed it at the same time, or it already exists: re-read its state and run again.",
            410 => "The watched version expired: run again.",
            415 => "The API server does not accept this patch type.",
            422 => "The server rejected the object as invalid: fix the manifest or value named above.",
            429 => "The API server kept throttling requests: try again later.",
            >= 500 => "The API server kept failing: check the control plane (kubectl get --raw /readyz) and run again.",
            _ => "See the API server's message above.",
        };
        return new ClusterException($"Cannot {what}: {(HttpStatusCode)code} ({code}) {serverMessage.TrimEnd('.')}. {fix}", exception, code);
    }

    private static string? ServerMessage(HttpOperationException exception)
    {
        var content = exception.Response?.Content;
        if (string.IsNullOrWhiteSpace(content))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(content);
            return document.RootElement.TryGetProperty("message", out var message) ? message.GetString() : null;
        }
        catch (JsonException)
        {
            return content.Length > 200 ? content[..200] : content;
        }
    }

    internal static bool IsTransientStatus(int code) => code is 429 or 500 or 502 or 503 or 504;

    private static bool IsTransport(Exception exception, CancellationToken cancellationToken) =>
        exception is HttpRequestException or IOException
        || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested);

    // A throttled answer says how long to wait (Retry-After, seconds): honour it, capped; otherwise Polly's backoff.
    private static TimeSpan? RetryAfter(Exception? exception, TimeSpan cap)
    {
        if (exception is HttpOperationException { Response: { } response }
            && response.Headers?.TryGetValue("Retry-After", out var values) == true
            && int.TryParse(values.FirstOrDefault(), out var seconds) && seconds > 0)
        {
            return TimeSpan.FromSeconds(Math.Min(seconds, cap.TotalSeconds));
        }

        return null;
    }

    private static ResiliencePipeline Build(RetryOptions retry, bool retry429) =>
        new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(1, retry.MaxRetries),
                Delay = retry.BaseDelay,
                MaxDelay = retry.MaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                DelayGenerator = arguments => ValueTask.FromResult(RetryAfter(arguments.Outcome.Exception, retry.MaxDelay)),
                ShouldHandle = arguments => ValueTask.FromResult(arguments.Outcome.Exception switch
                {
                    HttpOperationException http => IsTransientStatus((int)(http.Response?.StatusCode ?? 0)) && (retry429 || (int)http.Response!.StatusCode != 429),
                    HttpRequestException or IOException => true,
                    TaskCanceledException => !arguments.Context.CancellationToken.IsCancellationRequested,
                    _ => false,
                }),
            })
            .Build();
}
