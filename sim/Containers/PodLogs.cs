using System.Collections.Concurrent;
using System.Text;
using TwisterLab.KubeSim.Exec;

namespace TwisterLab.KubeSim.Containers;

/// <summary>
/// The kubelet's container logs: what each container's process wrote (stdout and stderr interleaved, one
/// timestamped line per entry, as the CRI log files hold them), the current and the previous attempt of each
/// container, and a signal that wakes followers. Only containers the simulator runs (run-to-completion pods) write.
/// </summary>
internal sealed class PodLogs
{
    readonly ConcurrentDictionary<string, ContainerLog> logs = new();

    public ContainerLog For(string podUid, string container) => logs.GetOrAdd($"{podUid}/{container}", _ => new ContainerLog());

    public void Forget(string podUid)
    {
        foreach (var key in logs.Keys.Where(k => k.StartsWith(podUid + "/")))
            if (logs.TryRemove(key, out var log)) log.Finish();
    }

    /// <summary>Marks every container of the pod stopped, so followers end (the pod is terminating).</summary>
    public void FinishPod(string podUid)
    {
        foreach (var (key, log) in logs)
            if (key.StartsWith(podUid + "/")) log.Finish();
    }
}

internal sealed record LogLine(DateTime Time, string Text);

internal sealed class ContainerLog
{
    readonly object gate = new();
    List<LogLine> current = [];
    List<LogLine>? previous;
    bool finished;
    TaskCompletionSource changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Append(string line)
    {
        lock (gate)
        {
            current.Add(new LogLine(DateTime.UtcNow, line));
            Wake();
        }
    }

    public void Finish()
    {
        lock (gate)
        {
            finished = true;
            Wake();
        }
    }

    /// <summary>The container restarts: its log becomes the previous one (kubectl logs --previous).</summary>
    public void Restart()
    {
        lock (gate)
        {
            previous = current;
            current = [];
            finished = false;
            Wake();
        }
    }

    public bool HasPrevious { get { lock (gate) return previous is not null; } }

    /// <summary>The lines from <paramref name="from"/> on, whether the container has stopped, and a task that completes on the next change.</summary>
    public (List<LogLine> Lines, bool Finished, Task Changed) Read(bool ofPrevious, int from = 0)
    {
        lock (gate)
        {
            var source = ofPrevious ? previous ?? [] : current;
            return (source.Skip(from).ToList(), finished || ofPrevious, changed.Task);
        }
    }

    void Wake()
    {
        changed.TrySetResult();
        changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>A write-only stream that cuts what a process writes into log lines (a partial last line on dispose).</summary>
internal sealed class LogWriterStream(ContainerLog log) : WriteOnlyStream
{
    readonly MemoryStream pending = new();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (pending)
            foreach (var b in buffer)
            {
                pending.WriteByte(b);
                if (b == (byte)'\n') Emit();
            }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken ct)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    void Emit()
    {
        if (pending.Length == 0) return;
        log.Append(Encoding.UTF8.GetString(pending.GetBuffer(), 0, (int)pending.Length));
        pending.SetLength(0);
    }

    protected override void Dispose(bool disposing)
    {
        lock (pending) Emit();
        base.Dispose(disposing);
    }

}
