using System.Runtime.CompilerServices;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace TwisterLab.Cake.Cluster;

/// <summary>A list and its resourceVersion, the start of a watch.</summary>
public sealed record Listed<T>(IReadOnlyList<T> Items, string ResourceVersion);

/// <summary>
/// What a <see cref="ResumableWatch"/> yields: either the complete current state (<see cref="Snapshot"/>, after each
/// list: replace what you knew) or one watch event.
/// </summary>
public sealed record WatchUpdate<T>(WatchEventType Type, T? Object, IReadOnlyList<T>? Snapshot = null)
{
    public bool IsSnapshot => Snapshot is not null;
}

/// <summary>
/// List, then watch from the list's resourceVersion, like client-go's ListWatch: a watch that ends or drops is
/// resumed from the last resourceVersion seen (so no event is lost or replayed), and one the server says is too
/// old (410 Gone) starts over with a fresh list. Transient failures back off; semantic ones are thrown.
/// </summary>
public static class ResumableWatch
{
    /// <summary>The list comes out as one snapshot, then the watch's events, forever (cancel to stop).</summary>
    public static async IAsyncEnumerable<WatchUpdate<T>> RunAsync<T>(
        ApiCaller api,
        string what,
        Func<CancellationToken, Task<Listed<T>>> list,
        Func<string, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> watch,
        Action? onResumed = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
        where T : IMetadata<V1ObjectMeta>
    {
        string? resourceVersion = null;
        var failures = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (resourceVersion is null)
            {
                var listed = await api.CallAsync($"list {what}", list, cancellationToken).ConfigureAwait(false);
                resourceVersion = listed.ResourceVersion;
                yield return new WatchUpdate<T>(WatchEventType.Added, default, listed.Items);
            }

            var gone = false;
            void OnError(Exception exception)
            {
                if (exception is KubernetesException { Status.Code: 410 })
                {
                    gone = true;
                }
            }

            await using var events = watch(resourceVersion, OnError, cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                (WatchEventType Type, T Object) current;
                try
                {
                    if (!await events.MoveNextAsync().ConfigureAwait(false))
                    {
                        break;
                    }

                    current = events.Current;
                }
                catch (HttpOperationException exception) when ((int)exception.Response.StatusCode == 410)
                {
                    gone = true;
                    break;
                }
                catch (HttpOperationException exception) when (!ApiCaller.IsTransientStatus((int)exception.Response.StatusCode))
                {
                    throw ApiCaller.Translate($"watch {what}", exception);
                }
                catch (Exception exception) when (exception is HttpOperationException or HttpRequestException or IOException
                    || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    break; // dropped: resume below
                }

                failures = 0;
                if (current.Type == WatchEventType.Error)
                {
                    continue;
                }

                if (current.Object?.Metadata?.ResourceVersion is { Length: > 0 } version)
                {
                    resourceVersion = version;
                }

                if (current.Type != WatchEventType.Bookmark)
                {
                    yield return new WatchUpdate<T>(current.Type, current.Object);
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (gone)
            {
                resourceVersion = null;
            }

            onResumed?.Invoke();
            if (++failures > 1)
            {
                // A watch that ends at once again and again (server down, throttled): back off, capped.
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 50 * (1 << Math.Min(failures, 6)))), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
