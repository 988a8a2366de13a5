using System.Collections.Concurrent;
using Npgsql;
using TwisterLab.Cake.Data;

namespace TwisterLab.Data.Tests;

/// <summary>The scheduler of the SQLite migration's parallel jobs. Jobs here never touch their (unopened) connection.</summary>
public sealed class JobGraphTests
{
    private static NpgsqlConnection Unused() => new();

    [Fact]
    public void A_job_starts_only_after_the_jobs_it_waits_for()
    {
        var done = new ConcurrentQueue<string>();
        var graph = new JobGraph();
        var load = graph.Add("load", 1, (_, _) => { Thread.Sleep(50); done.Enqueue("load"); });
        var index1 = graph.Add("index1", 1, (_, _) => done.Enqueue("index1")).After(load);
        var index2 = graph.Add("index2", 1, (_, _) => done.Enqueue("index2")).After(load);
        graph.Add("attach", 1, (_, _) => done.Enqueue("attach")).After(index1, index2);

        graph.Run(3, Unused, CancellationToken.None);

        var order = done.ToList();
        Assert.Equal(4, order.Count);
        Assert.Equal("load", order[0]);
        Assert.Equal("attach", order[3]);
    }

    [Fact]
    public void The_first_failure_is_rethrown_and_nothing_waiting_on_it_runs()
    {
        var ran = new ConcurrentBag<string>();
        var graph = new JobGraph();
        var failing = graph.Add("failing", 2, (_, _) => throw new DataOperationException("Duplicate key in small"));
        graph.Add("after", 1, (_, _) => ran.Add("after")).After(failing);
        graph.Add("slow", 1, (_, ct) =>
        {
            // A long job sees the cancellation the failure raised.
            for (var i = 0; i < 200 && !ct.IsCancellationRequested; i++) Thread.Sleep(10);
            ct.ThrowIfCancellationRequested();
        });

        var error = Assert.Throws<DataOperationException>(() => graph.Run(2, Unused, CancellationToken.None));

        Assert.Equal("Duplicate key in small", error.Message);
        Assert.Empty(ran);
    }

    [Fact]
    public void Jobs_that_wait_for_each_other_are_reported_not_hung()
    {
        var graph = new JobGraph();
        var a = graph.Add("a", 1, (_, _) => { });
        var b = graph.Add("b", 1, (_, _) => { }).After(a);
        a.After(b);

        var error = Assert.Throws<InvalidOperationException>(() => graph.Run(2, Unused, CancellationToken.None));
        Assert.Contains("cycle", error.Message);
    }
}
