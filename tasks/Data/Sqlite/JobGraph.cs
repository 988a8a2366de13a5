using System.Runtime.ExceptionServices;
using Npgsql;

namespace TwisterLab.Cake.Data;

/// <summary>
/// Jobs that wait for other jobs, run by a fixed number of worker threads that each hold one PostgreSQL connection.
/// A job starts as soon as everything it waits for is done, the most important ready job first, so a big table's
/// index builds and a small table's load keep both cores busy instead of waiting for a phase to end. The first failure
/// cancels everything not yet started and is rethrown as it was.
/// </summary>
internal sealed class JobGraph
{
    private readonly List<Job> _jobs = [];
    private readonly object _gate = new();
    private readonly Dictionary<string, double> _seconds = [];

    /// <summary>Wall seconds of every job that finished, by name (for the report: where a migration's time went).</summary>
    public IReadOnlyDictionary<string, double> Seconds => _seconds;

    public sealed class Job
    {
        internal Job(string name, long priority, Action<NpgsqlConnection, CancellationToken> work)
        {
            Name = name;
            Priority = priority;
            Work = work;
        }

        public string Name { get; }
        internal long Priority { get; }
        internal Action<NpgsqlConnection, CancellationToken> Work { get; }
        internal List<Job> Dependents { get; } = [];
        internal int Waiting { get; set; }

        /// <summary>This job starts only after <paramref name="jobs"/> are done.</summary>
        public Job After(params IEnumerable<Job> jobs)
        {
            foreach (var job in jobs)
            {
                job.Dependents.Add(this);
                Waiting++;
            }
            return this;
        }
    }

    /// <param name="priority">Among ready jobs, the highest runs first (the size of the table it works on).</param>
    public Job Add(string name, long priority, Action<NpgsqlConnection, CancellationToken> work)
    {
        var job = new Job(name, priority, work);
        _jobs.Add(job);
        return job;
    }

    public void Run(int workers, Func<NpgsqlConnection> open, CancellationToken cancellationToken)
    {
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var ready = _jobs.Where(j => j.Waiting == 0).ToList();
        var remaining = _jobs.Count;
        var running = 0;
        var errors = new List<Exception>();

        void Work()
        {
            NpgsqlConnection? connection = null;
            try
            {
                while (true)
                {
                    Job job;
                    lock (_gate)
                    {
                        while (ready.Count == 0 && running > 0 && !failed.IsCancellationRequested) Monitor.Wait(_gate);
                        if (ready.Count == 0 || failed.IsCancellationRequested)
                        {
                            if (remaining > 0 && running == 0 && errors.Count == 0 && !failed.IsCancellationRequested)
                                errors.Add(new InvalidOperationException($"Jobs wait for each other in a cycle: {string.Join(", ", _jobs.Where(j => j.Waiting > 0).Select(j => j.Name))}."));
                            Monitor.PulseAll(_gate);
                            return;
                        }
                        job = ready.MaxBy(j => j.Priority)!;
                        ready.Remove(job);
                        running++;
                    }
                    connection ??= open();
                    var started = System.Diagnostics.Stopwatch.GetTimestamp();
                    job.Work(connection, failed.Token);
                    lock (_gate)
                    {
                        _seconds[job.Name] = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
                        running--;
                        remaining--;
                        foreach (var dependent in job.Dependents)
                            if (--dependent.Waiting == 0) ready.Add(dependent);
                        Monitor.PulseAll(_gate);
                    }
                }
            }
            catch (Exception ex)
            {
                lock (_gate)
                {
                    errors.Add(ex);
                    running--;
                    failed.Cancel();
                    Monitor.PulseAll(_gate);
                }
            }
            finally
            {
                connection?.Dispose();
            }
        }

        var threads = Enumerable.Range(0, Math.Max(1, workers)).Select(_ => new Thread(Work) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        cancellationToken.ThrowIfCancellationRequested();
        var first = errors.FirstOrDefault(e => e is not OperationCanceledException) ?? errors.FirstOrDefault();
        if (first is not null) ExceptionDispatchInfo.Throw(first);
    }
}
