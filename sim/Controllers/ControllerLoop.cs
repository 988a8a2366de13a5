using TwisterLab.KubeSim.Store;

namespace TwisterLab.KubeSim.Controllers;

/// <summary>
/// Runs every controller in turn, level-triggered: after any change in the store, and at least every
/// ControllerInterval (for time-driven steps: pod start, progress deadlines). Writes that change nothing are not
/// stored, so the loop settles when the cluster does.
/// </summary>
internal sealed class ControllerLoop : IAsyncDisposable
{
    readonly SemaphoreSlim wake = new(0, 1);
    readonly CancellationTokenSource stop = new();
    readonly TimeSpan interval;
    readonly Action<DateTime>[] controllers;
    readonly ObjectStore store;
    readonly Task running;

    public ControllerLoop(ObjectStore store, TimeSpan interval, params Action<DateTime>[] controllers)
    {
        this.store = store;
        this.interval = interval;
        this.controllers = controllers;
        store.Changed += Wake;
        running = Task.Run(RunAsync);
    }

    void Wake()
    {
        if (wake.CurrentCount == 0)
        {
            try { wake.Release(); }
            catch (SemaphoreFullException) { /* already awake */ }
        }
    }

    async Task RunAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            try { await wake.WaitAsync(interval, stop.Token); }
            catch (OperationCanceledException) { return; }
            // Let a burst of writes land before reconciling (a kubectl apply of many objects, a rollout step).
            await Task.Delay(TimeSpan.FromMilliseconds(5));
            var now = DateTime.UtcNow;
            foreach (var controller in controllers)
            {
                try { controller(now); }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Console.Error.WriteLine($"kubesim: controller {controller.Method.DeclaringType?.Name} failed: {e}");
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        store.Changed -= Wake;
        stop.Cancel();
        try { await running; } catch (OperationCanceledException) { }
        stop.Dispose();
    }
}
