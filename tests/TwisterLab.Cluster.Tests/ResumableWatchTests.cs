using System.Net;
using System.Runtime.CompilerServices;
using k8s;
using k8s.Autorest;
using k8s.Models;
using TwisterLab.Cake.Cluster;

namespace TwisterLab.Cluster.Tests;

/// <summary>The list+watch loop with scripted list and watch calls: resume points, 410 re-lists, errors.</summary>
public sealed class ResumableWatchTests
{
    private static readonly ApiCaller Api = new(new RetryOptions(2, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5)));

    private static V1ConfigMap Item(string name, string version) => new() { Metadata = new V1ObjectMeta { Name = name, ResourceVersion = version } };

    private sealed class Script
    {
        public List<string> WatchedFrom { get; } = [];

        public int Lists { get; set; }

        public required Func<int, Action<Exception>, IAsyncEnumerable<(WatchEventType, V1ConfigMap)>> Watch { get; init; }

        public IAsyncEnumerable<(WatchEventType, V1ConfigMap)> Start(string version, Action<Exception> onError, CancellationToken token)
        {
            WatchedFrom.Add(version);
            return Watch(WatchedFrom.Count, onError);
        }
    }

    private static async IAsyncEnumerable<(WatchEventType, V1ConfigMap)> Events(IEnumerable<(WatchEventType, V1ConfigMap)> events, Exception? end = null, Action? before = null, [EnumeratorCancellation] CancellationToken token = default)
    {
        before?.Invoke();
        foreach (var item in events)
        {
            await Task.Yield();
            yield return item;
        }

        if (end is not null)
        {
            throw end;
        }
    }

    private static async IAsyncEnumerable<(WatchEventType, V1ConfigMap)> Forever([EnumeratorCancellation] CancellationToken token = default)
    {
        await Task.Delay(Timeout.Infinite, token);
        yield break;
    }

    private static async Task<List<WatchUpdate<V1ConfigMap>>> Take(Script script, int count)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var updates = new List<WatchUpdate<V1ConfigMap>>();
        await foreach (var update in ResumableWatch.RunAsync(Api, "configmaps", _ =>
                       {
                           script.Lists++;
                           return Task.FromResult(new Listed<V1ConfigMap>([Item("a", "10")], "10"));
                       }, script.Start, cancellationToken: limit.Token))
        {
            updates.Add(update);
            if (updates.Count == count)
            {
                break;
            }
        }

        return updates;
    }

    [Fact]
    public async Task A_dropped_watch_resumes_from_the_last_resource_version_seen_without_a_new_list()
    {
        var script = new Script
        {
            Watch = (call, _) => call switch
            {
                1 => Events([(WatchEventType.Modified, Item("a", "11")), (WatchEventType.Added, Item("b", "12"))], new IOException("connection reset")),
                2 => Events([(WatchEventType.Deleted, Item("b", "13"))]),
                _ => Forever(),
            },
        };

        var updates = await Take(script, 4);

        Assert.True(updates[0].IsSnapshot);
        Assert.Equal(["11", "12", "13"], updates.Skip(1).Select(update => update.Object!.Metadata.ResourceVersion).ToList());
        Assert.Equal(["10", "12"], script.WatchedFrom.Take(2).ToList());
        Assert.Equal(1, script.Lists);
    }

    [Fact]
    public async Task An_expired_resource_version_in_the_stream_starts_over_with_a_new_list()
    {
        var script = new Script
        {
            Watch = (call, onError) => call switch
            {
                1 => Events([], before: () => onError(new KubernetesException(new V1Status { Code = 410, Reason = "Expired", Message = "too old resource version" }))),
                _ => Forever(),
            },
        };

        var updates = await Take(script, 2);

        Assert.True(updates[0].IsSnapshot);
        Assert.True(updates[1].IsSnapshot);
        Assert.Equal(2, script.Lists);
    }

    [Fact]
    public async Task A_410_answer_to_the_watch_request_also_starts_over()
    {
        var script = new Script
        {
            Watch = (call, _) => call switch
            {
                1 => Events([], new HttpOperationException("gone") { Response = new HttpResponseMessageWrapper(new HttpResponseMessage(HttpStatusCode.Gone), "") }),
                _ => Forever(),
            },
        };

        var updates = await Take(script, 2);

        Assert.All(updates, update => Assert.True(update.IsSnapshot));
        Assert.Equal(2, script.Lists);
    }

    [Fact]
    public async Task A_forbidden_watch_is_a_cluster_error_naming_the_watch()
    {
        var script = new Script
        {
            Watch = (_, _) => Events([], new HttpOperationException("forbidden")
            {
                Response = new HttpResponseMessageWrapper(new HttpResponseMessage(HttpStatusCode.Forbidden), "{\"message\":\"configmaps is forbidden: User \\\"ci\\\" cannot watch resource\"}"),
            }),
        };

        var exception = await Assert.ThrowsAsync<ClusterException>(() => Take(script, 3));

        Assert.Equal(403, exception.StatusCode);
        Assert.Contains("Cannot watch configmaps", exception.Message);
        Assert.Contains("RBAC", exception.Message);
    }

    [Fact]
    public async Task Bookmarks_move_the_resume_point_but_are_not_yielded()
    {
        var script = new Script
        {
            Watch = (call, _) => call switch
            {
                1 => Events([(WatchEventType.Bookmark, Item("", "20"))]),
                2 => Events([(WatchEventType.Modified, Item("a", "21"))]),
                _ => Forever(),
            },
        };

        var updates = await Take(script, 2);

        Assert.Equal("21", updates[1].Object!.Metadata.ResourceVersion);
        Assert.Equal(["10", "20"], script.WatchedFrom.Take(2).ToList());
    }
}
